#ifndef BMSIM_CFLOATCONTROL_H
#define BMSIM_CFLOATCONTROL_H
/// Sets the x86 MXCSR flush-to-zero and denormals-are-zero bits for the calling thread
/// (no-op elsewhere). Returns 1 when the bits were set, 0 when the platform has none.
int bms_enable_flush_denormals(void);
/// Returns 1 when FTZ and DAZ are both set for the calling thread.
int bms_flush_denormals_enabled(void);
#endif
