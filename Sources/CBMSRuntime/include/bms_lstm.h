/*
 * bms_lstm.h — BMSim fixed-point LSTM runtime (C99, no malloc, no floating point).
 *
 * Loads a `.bmsq` weight blob from memory (validating every field once), then runs the
 * integer LSTM one sensor sample per call, bit-exact with the Swift engine
 * (Sources/QuantizedLSTM). Format: Docs/WeightBlobFormat.md. Number formats:
 * Docs/FixedPoint.md. Gate order everywhere: i, f, g, o.
 *
 * Usage, with a blob exported by `bmsim export model.bmsq --c-source bms_model` (writes
 * bms_model.c, the array defined once, and bms_model.h; every macro of an export is the
 * array's identifier in capitals plus a suffix, so here BMS_MODEL_*):
 *   #include "bms_model.h"
 *   bms_lstm_model_t model;
 *   if (bms_lstm_load_blob(bms_model, BMS_MODEL_SIZE, &model) != BMS_OK) { ... }
 *   static int16_t workspace[BMS_MODEL_WORKSPACE_WORDS];   // or bms_lstm_workspace_words()
 *   bms_lstm_context_t ctx;
 *   bms_lstm_init_context(&model, workspace, BMS_MODEL_WORKSPACE_WORDS, &ctx);
 *   bms_lstm_set_prior_capacity(&ctx, learned_mAh);   // optional: the capacity the BMS has learned
 *   bms_lstm_set_start_soc(&ctx, soc_centi_percent);  // v5 blobs: the SOC the BMS believes at a run's start
 *   int32_t soc_centi_percent;
 *   bms_lstm_step_s8(&ctx, voltage_uV, current_mA, temperature_dC, &soc_centi_percent);
 *   int16_t log_variance_q11;                         // v6 blobs (uncertainty head): log sigma^2 of the step
 *   bms_lstm_log_variance_q11(&ctx, &log_variance_q11);
 */
#ifndef BMS_LSTM_H
#define BMS_LSTM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Runtime version (matches the blob format version it reads). */
#define BMS_RUNTIME_VERSION 1
/** Blob format version this runtime accepts. */
#define BMS_BLOB_VERSION 6        /**< newest format read (3: interleaved LSTM kernels; 4: plus the prior-capacity
                                       input; 5: plus the prior-SOC input; 6: plus the uncertainty head, a last
                                       dense layer with two outputs); versions 1 and 2 are read too */
#define BMS_BLOB_MIN_VERSION 1
/** Knots of the sigmoid table (Q4.11 domain [-16, 16], step 1/16) and of the tanh
 *  table (Q3.12 domain [-8, 8], step 1/32). */
#define BMS_ACTIVATION_KNOTS 513
/** Limits checked by the loader (they keep every int32 accumulator overflow-free). */
#define BMS_MAX_FEATURES 8
#define BMS_MAX_LSTM_LAYERS 4
#define BMS_MAX_DENSE_LAYERS 4
#define BMS_MAX_WIDTH 256
/** Largest |bias| accepted: with |w| <= 127, |x| <= 32768 and width <= 256 the
 *  accumulator stays below 2^31. */
#define BMS_MAX_ABS_BIAS (1L << 30)
/** The uncertainty head (format version 6): log sigma^2 of the scaled label in Q4.11, clamped to
 *  [-16, 4] (int16 saturation gives -16, this bound gives 4). */
#define BMS_LOG_VARIANCE_FRACTION_BITS 11
#define BMS_LOG_VARIANCE_MAX_Q11 8192
/** Largest label span (ppm of full SOC per unit of the scaled label) a version-6 blob may give. */
#define BMS_MAX_LABEL_SPAN_PPM 10000000L

/** Status codes returned by every function. */
typedef enum bms_status {
    BMS_OK = 0,
    BMS_ERR_ARGUMENT = 1,       /**< NULL pointer or misaligned blob (needs 4-byte alignment) */
    BMS_ERR_TRUNCATED = 2,      /**< buffer shorter than the header or the declared file size */
    BMS_ERR_SIZE_MISMATCH = 3,  /**< buffer longer than the declared file size */
    BMS_ERR_MAGIC = 4,          /**< first four bytes are not "BMSQ" */
    BMS_ERR_VERSION = 5,        /**< format version not supported */
    BMS_ERR_GATE_ORDER = 6,     /**< gate order code is not 0 (i, f, g, o) */
    BMS_ERR_CRC = 7,            /**< CRC-32 trailer does not match */
    BMS_ERR_TOPOLOGY = 8,       /**< feature/layer counts, sizes, kinds or activations invalid */
    BMS_ERR_TENSOR = 9,         /**< tensor table entry has wrong dtype, rank, role or shape */
    BMS_ERR_OFFSET = 10,        /**< a section or tensor lies outside the blob or overlaps the tables */
    BMS_ERR_ALIGNMENT = 11,     /**< a tensor offset is not 16-byte aligned */
    BMS_ERR_SCALE = 12,         /**< a multiplier/shift pair is out of range */
    BMS_ERR_BIAS = 13,          /**< a bias exceeds BMS_MAX_ABS_BIAS */
    BMS_ERR_FEATURE = 14,       /**< unknown input feature code */
    BMS_ERR_RESERVED = 15,      /**< a reserved field is not zero */
    BMS_ERR_WORKSPACE = 16,     /**< workspace too small */
    BMS_ERR_PLATFORM = 17,      /**< host is not little-endian */
    BMS_ERR_STEP = 18,          /**< charge-drawn model step outside 1..3600 s */
    BMS_ERR_PRIOR = 19,         /**< prior capacity negative, above 1000000 mAh, or without a charge-drawn input;
                                     bms_lstm_set_prior_capacity: outside 1..1000000 mAh or a model without a prior */
    BMS_ERR_START_SOC = 20,     /**< bms_lstm_set_start_soc: outside 0..12000 (0.01 %) or a model without a
                                     prior-SOC input */
    BMS_ERR_COMPILED_OUT = 21   /**< the blob needs a feature this build leaves out (BMS_LSTM_START_SOC=0:
                                     a prior-SOC input; BMS_LSTM_UNCERTAINTY=0: an uncertainty head) */
} bms_status_t;

/* Optional blob features, compiled in by default. A firmware that ships a blob without them may
 * leave their code out (-DBMS_LSTM_START_SOC=0: the prior-SOC input of format version 5 and
 * bms_lstm_set_start_soc; -DBMS_LSTM_UNCERTAINTY=0: the uncertainty head of version 6 and
 * bms_lstm_log_variance_q11); the loader then refuses a blob that needs them with
 * BMS_ERR_COMPILED_OUT, and every other blob runs bit for bit as in the full build. */
#ifndef BMS_LSTM_START_SOC
#define BMS_LSTM_START_SOC 1
#endif
#ifndef BMS_LSTM_UNCERTAINTY
#define BMS_LSTM_UNCERTAINTY 1
#endif

/** Input feature codes (order of the float model's features is free; codes say which). */
enum bms_feature {
    BMS_FEATURE_VOLTAGE = 0,      /**< raw unit: microvolts */
    BMS_FEATURE_CURRENT = 1,      /**< raw unit: milliamperes, + = charge */
    BMS_FEATURE_TEMPERATURE = 2,  /**< raw unit: 0.1 degC */
    BMS_FEATURE_D_CURRENT = 3,    /**< current minus previous step's current (0 on the first step) */
    BMS_FEATURE_D_VOLTAGE = 4,    /**< voltage minus previous step's voltage (0 on the first step) */
    BMS_FEATURE_CHARGE_DRAWN = 5,  /**< charge drawn since reset, 0.5 mA*s (trapezoid of -I over the step; v2) */
    BMS_FEATURE_PRIOR_CAPACITY = 6, /**< the capacity the prior counts against, mAh (the blob's or
                                        bms_lstm_set_prior_capacity's; v4, needs a prior) */
    BMS_FEATURE_PRIOR_SOC = 7      /**< the prior SOC s0 - q/Q of the step, 0.01 % (s0: 10000 or
                                        bms_lstm_set_start_soc's; v5, needs a prior) */
};

/** Integer requantization: value * multiplier / 2^shift, rounded half up. */
typedef struct bms_requant {
    int32_t multiplier;  /**< in [2^30, 2^31 - 1] */
    int32_t shift;       /**< in [1, 62] */
} bms_requant_t;

/** One input feature's integer standardisation: sat16(round((raw - offset) * M / 2^n)). */
typedef struct bms_input_scaling {
    uint8_t feature;        /**< enum bms_feature */
    int32_t offset_raw;     /**< mean in raw units */
    bms_requant_t scale;    /**< 4096 / std (Q3.12 output) */
} bms_input_scaling_t;

/** One LSTM layer, pointers into the blob. */
typedef struct bms_lstm_layer {
    uint16_t input_size;
    uint16_t hidden_size;
    uint8_t cell_fraction_bits;      /**< cell state Q(15-n).n, n in 8..12 */
    uint8_t interleaved;             /**< 0: kernels [4H x C] row-major, rows i,f,g,o (v1, v2);
                                          1: per unit j a block of 4*P bytes (P = C rounded up to 4),
                                          per 4-column group the 4 bytes of gate i, f, g, o (v3) */
    uint8_t shifts_high;             /**< 1: every input and recurrent shift is >= 33 (set by the loader;
                                          the Cortex-M kernel then requantizes in 32 bits) */
    const int8_t *input_kernel;      /**< [4H x I] */
    const int8_t *recurrent_kernel;  /**< [4H x H] */
    const uint8_t *bias;             /**< int32 LE [4H], on the input-kernel scale */
    const uint8_t *input_multiplier;     /**< int32 LE [4H] */
    const uint8_t *input_shift;          /**< int32 LE [4H] */
    const uint8_t *recurrent_multiplier; /**< int32 LE [4H] */
    const uint8_t *recurrent_shift;      /**< int32 LE [4H] */
} bms_lstm_layer_t;

/** One dense layer, pointers into the blob. */
typedef struct bms_dense_layer {
    uint16_t input_size;
    uint16_t output_size;
    uint8_t relu;                    /**< 1 = ReLU, 0 = none */
    const int8_t *weight;            /**< [O x I] row-major */
    const uint8_t *bias;             /**< int32 LE [O] */
    const uint8_t *multiplier;       /**< int32 LE [O] */
    const uint8_t *shift;            /**< int32 LE [O] */
} bms_dense_layer_t;

/** A validated model: read-only views into the caller's blob (which must outlive it). */
typedef struct bms_lstm_model {
    uint16_t feature_count;
    uint16_t lstm_layer_count;
    uint16_t dense_layer_count;
    bms_input_scaling_t features[BMS_MAX_FEATURES];
    bms_requant_t output_scale;      /**< final int16 output -> SOC in 0.01 % */
    int32_t output_offset_centi_percent;
    uint16_t charge_step_s;          /**< coulomb-counter step, s (0: no charge-drawn input) */
    int32_t prior_capacity_mAh;      /**< coulomb-count prior capacity, mAh (0: no prior) */
    bms_lstm_layer_t lstm[BMS_MAX_LSTM_LAYERS];
    bms_dense_layer_t dense[BMS_MAX_DENSE_LAYERS];
    uint16_t max_hidden_size;        /**< widest LSTM layer */
    uint16_t max_dense_size;         /**< widest dense layer */
    uint16_t packed_words;           /**< DSP-kernel scratch: widest input and widest hidden state, each rounded up to 4 */
    uint8_t has_log_variance;        /**< 1: version 6, the last dense layer's row 1 is log sigma^2 (Q4.11) */
    uint32_t workspace_words;        /**< int16 words of workspace the context needs */
    int32_t label_span_ppm;          /**< version 6: SOC (ppm of full) per unit of the scaled label, so
                                          sigma_SOC = exp(s / 4096) * label_span_ppm / 1e6 for the Q4.11 log
                                          variance s (computed by the caller, outside this integer runtime;
                                          0 without the head) */
} bms_lstm_model_t;

/** Mutable state of one running estimator (caller-owned workspace). */
typedef struct bms_lstm_context {
    const bms_lstm_model_t *model;
    int16_t *workspace;
    int32_t previous_voltage_uV;
    int32_t previous_current_mA;
    int32_t charge_half_mAs;         /**< charge drawn since reset, 0.5 mA*s, saturating */
    int32_t prior_capacity_mAh;      /**< capacity the prior counts against, mAh (0: no prior); the
                                          model's at init, bms_lstm_set_prior_capacity changes it,
                                          bms_lstm_reset keeps it */
    int32_t start_soc_centi_percent; /**< s0 of the prior s0 - q/Q, 0.01 %: 10000 at init,
                                          bms_lstm_set_start_soc changes it, bms_lstm_reset keeps it */
    uint8_t has_previous;
    uint8_t kernel;                  /**< bms_kernel_t the version-3 layer step uses (set by init) */
} bms_lstm_context_t;

/** Dot-product kernels of the version-3 LSTM layer step. All give the same integers. */
typedef enum bms_kernel {
    BMS_KERNEL_AUTO = 0,        /**< the fastest this build and CPU have (what init chooses) */
    BMS_KERNEL_BASELINE = 1,    /**< compiled without run-time dispatch: SXTB16/SMLAD with
                                     __ARM_FEATURE_DSP, SSE2 on x86-64, else portable C */
    BMS_KERNEL_AVX2 = 2,        /**< x86-64 hosts with AVX2: 8 units per block */
    BMS_KERNEL_AVX512_VNNI = 3  /**< x86-64 hosts with AVX-512 F/BW/VL + VNNI: 16 units per block */
} bms_kernel_t;

/** Validates a blob and fills `model` with views into it. The blob must be 4-byte
 *  aligned and stay alive while the model is used. */
bms_status_t bms_lstm_load_blob(const uint8_t *blob, size_t size, bms_lstm_model_t *model);

/** int16 words of workspace a context for `model` needs (hidden + cell states, scratch). */
uint32_t bms_lstm_workspace_words(const bms_lstm_model_t *model);

/** Binds a workspace to a model and resets the state. */
bms_status_t bms_lstm_init_context(const bms_lstm_model_t *model, int16_t *workspace,
                                   size_t workspace_words, bms_lstm_context_t *context);

/** Zeroes hidden and cell states and forgets the previous sample (differences restart at 0).
 *  The prior capacity stays. */
void bms_lstm_reset(bms_lstm_context_t *context);

/** Counts the coulomb-count prior of the following steps against `prior_capacity_mAh` instead
 *  of the blob's capacity (e.g. the capacity the BMS has learned; integer only, bit-exact with
 *  the Swift engine's setPriorCapacity). BMS_ERR_ARGUMENT for a NULL or uninitialised context;
 *  BMS_ERR_PRIOR, changing nothing, when the model has no prior or the capacity is outside
 *  1..1000000 mAh. */
bms_status_t bms_lstm_set_prior_capacity(bms_lstm_context_t *context, int32_t prior_capacity_mAh);

/** Starts the coulomb-count prior of the following steps at `start_soc_centi_percent` (0.01 %,
 *  0..12000) instead of 100 %: the prior becomes s0 - q/Q and a BMS_FEATURE_PRIOR_SOC input reads
 *  it. Call after bms_lstm_reset, before a run's first step, with the best SOC the BMS has then
 *  (bit-exact with the Swift engine's setStartSOC). BMS_ERR_ARGUMENT for a NULL or uninitialised
 *  context; BMS_ERR_START_SOC, changing nothing, for a model without a prior-SOC input (format
 *  version 5) or a value outside 0..12000. */
bms_status_t bms_lstm_set_start_soc(bms_lstm_context_t *context, int32_t start_soc_centi_percent);

/** One streaming step: consumes a sample, updates the state, writes SOC in 0.01 %. */
bms_status_t bms_lstm_step_s8(bms_lstm_context_t *context, int32_t voltage_uV,
                              int32_t current_mA, int32_t temperature_dC,
                              int32_t *soc_centi_percent);

/** The uncertainty head's output of the last step (format version 6): log sigma^2 of the scaled
 *  label in Q4.11, clamped to [-16, 4]; 0 after init or reset. Integer only, bit-exact with the Swift
 *  engine's logVarianceQ11. BMS_ERR_ARGUMENT for NULL pointers or an uninitialised context;
 *  BMS_ERR_TOPOLOGY for a model without the head (versions 1 to 5). */
bms_status_t bms_lstm_log_variance_q11(const bms_lstm_context_t *context, int16_t *log_variance_q4_11);

/** Window mode: reset, run `count` samples (arrays of equal length), write the last SOC. */
bms_status_t bms_lstm_window_s8(bms_lstm_context_t *context, const int32_t *voltage_uV,
                                const int32_t *current_mA, const int32_t *temperature_dC,
                                size_t count, int32_t *soc_centi_percent);

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of a byte range. */
uint32_t bms_crc32(const uint8_t *data, size_t size);

/** Integer sigmoid: Q4.11 in, Q0.15 out (table + linear interpolation). */
int16_t bms_sigmoid_q15(int16_t x_q4_11);
/** Integer tanh: Q3.12 in, Q0.15 out. */
int16_t bms_tanh_q15(int16_t x_q3_12);
/** round(value * multiplier / 2^shift), half up, 64-bit result before saturation. */
int64_t bms_requantize_wide(int32_t value, bms_requant_t scale);
/** sat16(round(value * multiplier / 2^shift)): the kernel's fast path (same value). */
int16_t bms_requantize_s16(int32_t value, bms_requant_t scale);
/** Chooses the context's layer-step kernel (for tests and benchmarks; init already picks the
 *  fastest). BMS_ERR_ARGUMENT if `context` is NULL or `kernel` is not compiled in or not
 *  supported by this CPU. Host-only kernels are chosen with __builtin_cpu_supports. */
bms_status_t bms_lstm_set_kernel(bms_lstm_context_t *context, bms_kernel_t kernel);

/** Name of a kernel: "avx512-vnni", "avx2", or for BMS_KERNEL_BASELINE "dsp"
 *  (SXTB16/SMLAD, Cortex-M4/M7/M33), "sse2" or "portable"; "auto" for BMS_KERNEL_AUTO. */
const char *bms_lstm_kernel_name(bms_kernel_t kernel);

/** Human-readable name of a status code. */
const char *bms_status_name(bms_status_t status);

/** The activation tables (shared with the Swift engine, see bms_tables.c). */
extern const int16_t bms_sigmoid_table_q15[BMS_ACTIVATION_KNOTS];
extern const int16_t bms_tanh_table_q15[BMS_ACTIVATION_KNOTS];

#ifdef __cplusplus
}
#endif
#endif /* BMS_LSTM_H */
