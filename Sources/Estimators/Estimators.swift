// Placeholder so the target builds while it is being written; replaced by the real files.
/// Namespace of the `Estimators` module (see Docs/Architecture.md).
public enum EstimatorsModule {}
