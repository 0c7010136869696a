/* Cortex-M4 bare-metal check of the C runtime under QEMU (mps2-an386):
 * loads the golden blob from flash, replays the golden samples (with the prior-capacity and
 * start-SOC schedules of golden-steps.bin versions 2 and 4), checks every SOC equals
 * the host's, and counts instructions per step with SysTick under `-icount shift=N`. */
#include <stdint.h>
#include "bms_lstm.h"
#include "golden_model.h"
#include "golden_vectors.h"
#include "semihost.h"
#include "systick.h"

static int16_t workspace[GOLDEN_MODEL_WORKSPACE_WORDS];
static bms_lstm_model_t model;
static bms_lstm_context_t context;

int main(void) {
    uint32_t n, mismatches = 0, first_bad = 0xFFFFFFFFu;
    uint64_t total_ticks = 0;
    uint32_t max_ticks = 0;
    bms_status_t status = bms_lstm_load_blob(golden_model, GOLDEN_MODEL_SIZE, &model);
    if (status != BMS_OK) { sh_puts("load failed: "); sh_puts(bms_status_name(status)); sh_puts("\n"); return 1; }
    if (bms_lstm_workspace_words(&model) != GOLDEN_MODEL_WORKSPACE_WORDS) { sh_puts("workspace size disagrees\n"); return 1; }
    if (bms_lstm_init_context(&model, workspace, GOLDEN_MODEL_WORKSPACE_WORDS, &context) != BMS_OK) return 1;

    SYST_RVR = 0xFFFFFFu; SYST_CVR = 0; SYST_CSR = 5u;
    for (n = 0; n < GOLDEN_STEPS; ++n) {
        int32_t soc;
        uint32_t t0, t1, ticks;
#ifdef GOLDEN_SCHEDULE
        /* golden-steps.bin versions 2 and 4: the capacity and start SOC set before the step
         * (outside the timed region; 0 and -1 keep the current one) */
        if (golden_prior[n] != 0 && bms_lstm_set_prior_capacity(&context, golden_prior[n]) != BMS_OK) ++mismatches;
        if (golden_start[n] != -1 && bms_lstm_set_start_soc(&context, golden_start[n]) != BMS_OK) ++mismatches;
#endif
        t0 = SYST_CVR;
        bms_lstm_step_s8(&context, golden_inputs[n][0], golden_inputs[n][1], golden_inputs[n][2], &soc);
        t1 = SYST_CVR;
        ticks = (t0 - t1) & 0xFFFFFFu;
        total_ticks += ticks;
        if (ticks > max_ticks) max_ticks = ticks;
        if (soc != golden_soc[n]) { ++mismatches; if (first_bad == 0xFFFFFFFFu) first_bad = n; }
    }
    /* instructions = ticks * 40 / 2^shift (25 MHz SysTick, 2^shift ns per instruction) */
    sh_puts("steps "); put_dec(GOLDEN_STEPS);
    sh_puts("  mismatches "); put_dec(mismatches);
    sh_puts("\ninstructions per step (mean) ");
    put_dec((uint32_t)((total_ticks * 40u >> ICOUNT_SHIFT) / GOLDEN_STEPS));
    sh_puts("  (max) "); put_dec((uint32_t)(((uint64_t)max_ticks * 40u) >> ICOUNT_SHIFT));
    sh_puts("\nMACs per step "); put_dec(GOLDEN_MODEL_MACS_PER_STEP);
    sh_puts("  workspace bytes "); put_dec(2u * GOLDEN_MODEL_WORKSPACE_WORDS);
    sh_puts("  model struct bytes "); put_dec((uint32_t)sizeof model);
    sh_puts("  blob bytes "); put_dec(GOLDEN_MODEL_SIZE);
    sh_puts("\n");
    if (mismatches != 0) { sh_puts("first mismatch at step "); put_dec(first_bad); sh_puts("\n"); }
    return mismatches == 0 ? 0 : 1;
}
