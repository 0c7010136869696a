/* Placeholder header; replaced by the C99 runtime (issue: fixed-point LSTM). */
#ifndef BMS_LSTM_H
#define BMS_LSTM_H
int bms_runtime_version(void);
#endif
