// Placeholder so the target builds while it is being written; replaced by the real files.
/// Namespace of the `Firmware` module (see Docs/Architecture.md).
public enum FirmwareModule {}
