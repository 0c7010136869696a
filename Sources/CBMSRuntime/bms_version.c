#include "bms_lstm.h"
int bms_runtime_version(void) { return 1; }
