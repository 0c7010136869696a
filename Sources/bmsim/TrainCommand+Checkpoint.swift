import ArgumentParser
import Foundation
import Trainer

/// Checkpoints, `--resume` and SIGINT/SIGTERM of `bmsim train`.
///
/// After every epoch the trainer's whole state goes to `checkpointURL` (temporary file, then
/// rename). The first SIGINT or SIGTERM lets the running epoch finish and write its
/// checkpoint, then the command exits with 130 or 143 and one line saying which epoch is
/// saved and how to resume; a second signal exits at once (the last checkpoint stays whole).
extension TrainCommand {
    /// Where the checkpoint is written: `--checkpoint`, else `<out without .json>.checkpoint.json`.
    var checkpointURL: URL {
        URL(fileURLWithPath: checkpoint ?? (out.hasSuffix(".json") ? String(out.dropLast(5)) : out) + ".checkpoint.json")
    }

    /// Loads `path` into the freshly built `trainer` (refused when the options or data differ).
    func restore(_ trainer: SOCTrainer, from path: String) throws {
        let saved = try TrainingCheckpoint.read(from: URL(fileURLWithPath: path))
        try trainer.restore(from: saved, path: path)
        say("resumed from \(path): \(saved.epochsDone) of \(saved.config.epochs) epochs done"
            + (saved.stoppedEarly ? " (early stopping ended the run)" : ""))
    }

    /// Exits when a signal came while the data were loading (nothing was trained).
    func stopIfRequested(before trainer: SOCTrainer) throws {
        guard InterruptHandler.isRequested else { return }
        let kept = resume.map { "; \($0) is unchanged" } ?? ""
        FileHandle.standardError.write(Data("bmsim: \(InterruptHandler.signalName) before the first epoch: nothing trained\(kept)\n".utf8))
        throw ExitCode(InterruptHandler.status.rawValue)
    }

    /// Reports the saved epoch and exits with the signal's status.
    func stopped(afterEpoch epoch: Int) throws -> Never {
        FileHandle.standardError.write(Data("""
            bmsim: \(InterruptHandler.signalName): stopped after epoch \(epoch) of \(epochs), saved in \(checkpointURL.path); \
            resume with the same options and --resume \(checkpointURL.path)\n
            """.utf8))
        throw ExitCode(InterruptHandler.status.rawValue)
    }
}

/// The training progress: a bar per epoch on stderr (only when `bar`: a terminal and no
/// `--quiet`, so a redirected log gets no carriage returns), a line per epoch on stdout, and
/// a note when a signal asked training to stop.
final class TrainingProgress {
    private let bar: Bool
    private var lastDrawn = -1
    private var announcedStop = false

    /// Progress with the redrawn bar when `bar` is true.
    init(bar: Bool) { self.bar = bar }

    /// Shows one training event.
    func report(_ event: TrainingEvent) {
        switch event {
        case let .batch(epoch, batch, count, loss):
            if InterruptHandler.isRequested && !announcedStop {
                announcedStop = true
                FileHandle.standardError.write(Data(((bar ? "\n" : "") + """
                    bmsim: \(InterruptHandler.signalName): stopping after epoch \(epoch) and its checkpoint \
                    (send it again to quit at once; the last checkpoint stays)\n
                    """).utf8))
            }
            let cells = 30, filled = batch * cells / count
            if bar && (filled != lastDrawn || batch == count) {
                lastDrawn = filled
                let bar = String(repeating: "=", count: filled) + String(repeating: ".", count: cells - filled)
                FileHandle.standardError.write(Data(String(format: "\repoch %3d [%@] %d/%d loss %.5f", epoch, bar, batch, count, loss).utf8))
            }
        case let .epoch(r):
            lastDrawn = -1
            if bar { FileHandle.standardError.write(Data("\r".utf8)) }
            say(String(format: "epoch %3d  loss %.5f  mae %.2f%%  val_loss %.5f  val_mae %.2f%%  lr %.2e  %.1f s (+%.1f s val, %.1f CPU s, load %.1f)  %.0f samples/s",
                       r.epoch, r.trainLoss, r.trainMAEPercent, r.validationLoss, r.validationMAEPercent,
                       r.learningRate, r.trainSeconds, r.validationSeconds, r.trainCPUSeconds, r.loadAverage1m, r.samplesPerSecond))
        }
    }
}
