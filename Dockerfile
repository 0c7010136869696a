# BMSim in a container: builds `bmsim` (release, Swift runtime linked in) and runs it.
#   docker build -t bmsim .
#   docker run --rm -v "$PWD/../shared/data:/data:ro" -v "$PWD/out:/out" bmsim \
#       compare /data/nasa_pcoe_battery --cells test --out /out/compare
# One image serves every shard of a cluster run (Docs/Scaling.md).

FROM swift:6.2-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libopenblas-dev zlib1g-dev libdeflate-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so that a source change does not fetch them again.
COPY Package.swift Package.resolved ./
RUN swift package resolve
COPY Sources Sources
COPY Tests Tests
COPY Fixtures Fixtures
RUN swift build -c release --product bmsim --static-swift-stdlib \
 && cp "$(swift build -c release --show-bin-path)/bmsim" /usr/local/bin/bmsim

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libopenblas0 zlib1g libdeflate0 libstdc++6 libgcc-s1 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/bmsim /usr/local/bin/bmsim
# The bundled cell model, LSTM blob and recording are found next to the build tree's
# sources (Sources/bmsim/ReplayWiring.swift, BundledData), so they keep their build path.
COPY --from=build /src/Fixtures /src/Fixtures
RUN useradd --create-home bmsim
USER bmsim
WORKDIR /home/bmsim
ENTRYPOINT ["bmsim"]
CMD ["--help"]
