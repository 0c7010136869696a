/* The unit loop of the Cortex-M4 version-3 LSTM layer step, in Thumb-2 assembly (included once,
 * by bms_step.c through bms_layer_dsp.h, which packs x and h and calls it):
 *   void bms_lstm_units_cm4(const bms_lstm_layer_t *layer, const int16_t *packed_x,
 *                           int16_t *hidden, int16_t *cell, const int16_t *packed_h);
 * packed_x / packed_h: x and the previous h as halfword pairs (bms_pack_pairs), word-aligned.
 * Per unit j:
 *   1. the four gate sums over x, from the biases (SXTB16 + SMLAD, 16 weight bytes per
 *      4-column group; a width of 4g + 1 adds only the even half of its last group, whose odd
 *      pair is zero padding);
 *   2. their requantizations (bms_requant_sat16 for shifts >= 33: SMMUL, ASR by s - 33, +1,
 *      SSAT ASR #1), packed two per register (gates i|f and g|o, PKHBT), kept in r12 and lr;
 *   3. the four gate sums over h (the same groups; the twelve registers they need are r0-r11);
 *   4. their requantizations, and per lane sat16(x part + h part) with QADD16; QADD16 of g|o
 *      with itself gives sat16(2·pre_g), tanh's Q3.12 input, in the low lane;
 *   5. the table interpolations as ((128 - t)·T[k] + t·T[k+1] + 64) >> 7: one LDR of the two
 *      knots (halfword-aligned: needs unaligned access), MLA for the weight pair
 *      (128 - t) | t << 16 = t·65535 + 128, SMLAD;
 *   6. c' = sat16(((f·c + 2^14) >> 15) + round(i·g / 2^(30-n))), the second term as SMMULR of
 *      i·2^(n+2) and g; h' = sat16((o·tanh(sat16(c'·2^(12-n))) + 2^14) >> 15); stored to c[j], h[j].
 * The same integers as bms_lstm_layer_v3_body (FixedPoint.md). Registers in the groups: r0-r3
 * the gate sums, r4 the activation pointer, r5 the weight pointer, r6 its end, r7/r8 an
 * activation pair, r9/r10 two weight words, r11 scratch. The rest lives in an 84-byte frame on
 * the stack (offsets in the comments of the prologue). Reads the bms_lstm_layer_t fields at
 * their ARM offsets (checked in bms_layer_dsp.h). */
#ifndef BMS_UNITS_CM4_H
#define BMS_UNITS_CM4_H

__asm__(
    ".syntax unified\n"
    ".thumb\n"
    ".pushsection .text.bms_lstm_units_cm4,\"ax\",%progbits\n"
    ".align 2\n"
    ".global bms_lstm_units_cm4\n"
    ".thumb_func\n"
    ".type bms_lstm_units_cm4, %function\n"

    /* acc += the two products of w and x (SMLAD), or acc = them (SMUAD) if first */
    ".macro bms_cm4_mac first, acc, w, x\n"
    ".if \\first\n"
    "  smuad \\acc, \\w, \\x\n"
    ".else\n"
    "  smlad \\acc, \\w, \\x, \\acc\n"
    ".endif\n"
    ".endm\n"

    /* one 4-column group: an activation pair, 16 weight bytes (gates i, f, g, o), 4 x 2 products
     * (first = 1 starts the sums) */
    ".macro bms_cm4_group first=0\n"
    "  ldrd r7, r8, [r4], #8\n"
    "  ldrd r9, r10, [r5], #8\n"
    "  sxtb16 r11, r9\n"          "  bms_cm4_mac \\first, r0, r11, r7\n"
    "  sxtb16 r11, r9, ror #8\n"  "  smlad r0, r11, r8, r0\n"
    "  sxtb16 r11, r10\n"         "  bms_cm4_mac \\first, r1, r11, r7\n"
    "  sxtb16 r11, r10, ror #8\n" "  smlad r1, r11, r8, r1\n"
    "  ldrd r9, r10, [r5], #8\n"
    "  sxtb16 r11, r9\n"          "  bms_cm4_mac \\first, r2, r11, r7\n"
    "  sxtb16 r11, r9, ror #8\n"  "  smlad r2, r11, r8, r2\n"
    "  sxtb16 r11, r10\n"         "  bms_cm4_mac \\first, r3, r11, r7\n"
    "  sxtb16 r11, r10, ror #8\n" "  smlad r3, r11, r8, r3\n"
    ".endm\n"

    /* the groups from r4 to r6 (8 bytes each), one per pass (x: usually one or two groups) */
    ".macro bms_cm4_dot\n"
    "  cmp r4, r6\n"
    "  beq 2f\n"
    "1:\n"
    "  bms_cm4_group\n"
    "  cmp r4, r6\n"
    "  bne 1b\n"
    "2:\n"
    ".endm\n"

    /* the same, four per pass, entered (TBB on the count mod 4) where the first pass does the
     * remainder; each group is 19 four-byte instructions, 76 bytes */
    ".macro bms_cm4_dot4\n"
    "  subs r11, r6, r4\n"
    "  beq 9f\n"
    "  ubfx r11, r11, #3, #2\n"
    "  tbb [pc, r11]\n"
    "1:\n"
    "  .byte (5f - 1b) / 2, (8f - 1b) / 2, (7f - 1b) / 2, (6f - 1b) / 2\n"
    "5:\n"
    "  bms_cm4_group\n"
    "6:\n"
    "  bms_cm4_group\n"
    "7:\n"
    "  bms_cm4_group\n"
    "8:\n"
    "  bms_cm4_group\n"
    "  cmp r4, r6\n"
    "  bne 5b\n"
    "9:\n"
    ".endm\n"

    /* a, b = sat16(round(a * m / 2^s)) with (m, s) from the addresses ma, sa (and mb, sb),
     * s in 33..62 */
    ".macro bms_cm4_rq2 a, b, ma, sa, mb, sb\n"
    "  ldr r6, \\ma\n"
    "  ldr r7, \\sa\n"
    "  ldr r8, \\mb\n"
    "  ldr r9, \\sb\n"
    "  smmul \\a, \\a, r6\n"      "  smmul \\b, \\b, r8\n"
    "  sub r7, r7, #33\n"         "  sub r9, r9, #33\n"
    "  asr \\a, \\a, r7\n"        "  asr \\b, \\b, r9\n"
    "  add \\a, \\a, #1\n"        "  add \\b, \\b, #1\n"
    "  ssat \\a, #16, \\a, asr #1\n"
    "  ssat \\b, #16, \\b, asr #1\n"
    ".endm\n"

    /* out = T[k] interpolated (out holds k, t the fraction); lr = 65535, r9 = 128, r8 = 64 */
    ".macro bms_cm4_interp out, tbl, t\n"
    "  ldr \\out, [\\tbl, \\out, lsl #1]\n"
    "  mla \\t, \\t, lr, r9\n"
    "  smlad \\out, \\out, \\t, r8\n"
    "  asr \\out, \\out, #7\n"
    ".endm\n"

    "bms_lstm_units_cm4:\n"
    "  push {r4-r11, lr}\n"
    "  sub sp, sp, #84\n"
    "  ldr r12, [sp, #120]\n"             /* packed_h, the fifth argument */
    "  str r1, [sp, #8]\n"                /*  8: x */
    "  str r12, [sp, #20]\n"              /* 20: h */
    "  ldrh r4, [r0]\n"                   /* I */
    "  ldrh r5, [r0, #2]\n"               /* H */
    "  ldrb r6, [r0, #4]\n"               /* n, the cell fraction bits */
    "  and r7, r4, #3\n"
    "  cmp r7, #1\n"
    "  ite eq\n"
    "  moveq r8, #1\n"
    "  movne r8, #0\n"
    "  str r8, [sp, #16]\n"               /* 16: 1 if a half group follows the full ones */
    "  add r9, r4, #3\n"
    "  sub r9, r9, r8, lsl #2\n"
    "  lsr r9, r9, #2\n"
    "  add r9, r1, r9, lsl #3\n"
    "  str r9, [sp, #12]\n"               /* 12: end of x's full groups */
    "  add r9, r5, #3\n"
    "  bic r9, r9, #3\n"
    "  add r9, r12, r9, lsl #1\n"
    "  str r9, [sp, #24]\n"               /* 24: end of h */
    "  lsl r9, r5, #2\n"
    "  str r9, [sp, #48]\n"               /* 48: S = 4H bytes between the gates' rows */
    "  movs r9, #0\n"
    "  str r9, [sp, #52]\n"               /* 52: at = 4j */
    "  str r3, [sp, #56]\n"               /* 56: c */
    "  sub r9, r2, r3\n"
    "  str r9, [sp, #60]\n"               /* 60: h - c, bytes */
    "  add r9, r6, #2\n"
    "  str r9, [sp, #64]\n"               /* 64: n + 2 */
    "  rsb r9, r6, #12\n"
    "  str r9, [sp, #68]\n"               /* 68: 12 - n */
    "  ldr r9, =bms_sigmoid_table_q15 + 512\n"
    "  str r9, [sp, #72]\n"               /* 72: sigmoid table + 256 knots */
    "  ldr r9, =bms_tanh_table_q15 + 512\n"
    "  str r9, [sp, #76]\n"               /* 76: tanh table + 256 knots */
    "  add r0, r0, #8\n"
    "  ldmia r0, {r4-r10}\n"
    "  strd r4, r5, [sp]\n"               /* 0, 4: the x and h kernels (walk the units' blocks) */
    "  add r11, sp, #28\n"
    "  stmia r11, {r6-r10}\n"             /* 28..44: bias, x multiplier, x shift, h multiplier, h shift */
    ".Lbms_cm4_unit:\n"
    /* 1. x sums from the biases: r12 = at, lr = S */
    "  ldr r12, [sp, #52]\n"
    "  ldr lr, [sp, #48]\n"
    "  ldr r4, [sp, #28]\n"
    "  add r4, r4, r12\n"
    "  add r10, lr, lr, lsl #1\n"         /* 3S */
    "  ldr r0, [r4]\n"
    "  ldr r1, [r4, lr]\n"
    "  ldr r2, [r4, lr, lsl #1]\n"
    "  ldr r3, [r4, r10]\n"
    "  ldr r4, [sp, #8]\n"
    "  ldr r6, [sp, #12]\n"
    "  ldr r5, [sp, #0]\n"
    "  bms_cm4_dot\n"
    "  ldr r7, [sp, #16]\n"
    "  cbz r7, 4f\n"
    "  ldr r7, [r4]\n"                    /* (x_last, 0) */
    "  ldrd r9, r10, [r5], #8\n"
    "  sxtb16 r9, r9\n"   "  smlad r0, r9, r7, r0\n"
    "  sxtb16 r10, r10\n" "  smlad r1, r10, r7, r1\n"
    "  ldrd r9, r10, [r5], #8\n"
    "  sxtb16 r9, r9\n"   "  smlad r2, r9, r7, r2\n"
    "  sxtb16 r10, r10\n" "  smlad r3, r10, r7, r3\n"
    "4:\n"
    "  str r5, [sp, #0]\n"
    /* 2. x parts */
    "  ldr r4, [sp, #32]\n"
    "  ldr r5, [sp, #36]\n"
    "  add r4, r4, r12\n"
    "  add r5, r5, r12\n"
    "  add r10, lr, lr, lsl #1\n"
    "  bms_cm4_rq2 r0, r1, \"[r4]\", \"[r5]\", \"[r4, lr]\", \"[r5, lr]\"\n"
    "  bms_cm4_rq2 r2, r3, \"[r4, lr, lsl #1]\", \"[r5, lr, lsl #1]\", \"[r4, r10]\", \"[r5, r10]\"\n"
    "  pkhbt r12, r0, r1, lsl #16\n"
    "  pkhbt lr, r2, r3, lsl #16\n"
    /* 3. h sums */
    "  ldr r4, [sp, #20]\n"
    "  ldr r6, [sp, #24]\n"
    "  ldr r5, [sp, #4]\n"
    "  bms_cm4_group 1\n"
    "  bms_cm4_dot4\n"
    "  str r5, [sp, #4]\n"
    /* 4. h parts (no register left for 3S: the bases advance by S), gate pre-activations */
    "  ldr r10, [sp, #52]\n"
    "  ldr r11, [sp, #48]\n"
    "  ldr r4, [sp, #40]\n"
    "  ldr r5, [sp, #44]\n"
    "  add r4, r4, r10\n"
    "  add r5, r5, r10\n"
    "  bms_cm4_rq2 r0, r1, \"[r4]\", \"[r5]\", \"[r4, r11]\", \"[r5, r11]\"\n"
    "  add r4, r4, r11\n"
    "  add r5, r5, r11\n"
    "  bms_cm4_rq2 r2, r3, \"[r4, r11]\", \"[r5, r11]\", \"[r4, r11, lsl #1]\", \"[r5, r11, lsl #1]\"\n"
    "  pkhbt r0, r0, r1, lsl #16\n"
    "  pkhbt r2, r2, r3, lsl #16\n"
    "  qadd16 r0, r12, r0\n"
    "  qadd16 r2, lr, r2\n"
    "  qadd16 r1, r2, r2\n"
    /* 5. activations: r3 = i, r4 = f, r6 = o (sigmoid), r5 = g (tanh) */
    "  ldr r12, [sp, #72]\n"
    "  movw lr, #65535\n"
    "  movs r9, #128\n"
    "  movs r8, #64\n"
    "  sbfx r3, r0, #7, #9\n"
    "  and r7, r0, #127\n"
    "  bms_cm4_interp r3, r12, r7\n"
    "  asr r4, r0, #23\n"
    "  ubfx r7, r0, #16, #7\n"
    "  bms_cm4_interp r4, r12, r7\n"
    "  asr r6, r2, #23\n"
    "  ubfx r7, r2, #16, #7\n"
    "  bms_cm4_interp r6, r12, r7\n"
    "  ldr r12, [sp, #76]\n"
    "  sbfx r5, r1, #7, #9\n"
    "  and r7, r1, #127\n"
    "  bms_cm4_interp r5, r12, r7\n"
    /* 6. cell and hidden state (r10 = at, r11 = S) */
    "  ldr r0, [sp, #56]\n"
    "  add r0, r0, r10, lsr #1\n"
    "  ldrsh r7, [r0]\n"
    "  mov r2, #16384\n"
    "  smlabb r4, r4, r7, r2\n"
    "  ldr r1, [sp, #64]\n"
    "  lsl r3, r3, r1\n"
    "  smmulr r3, r3, r5\n"
    "  add r3, r3, r4, asr #15\n"
    "  ssat r3, #16, r3\n"
    "  strh r3, [r0]\n"
    "  ldr r1, [sp, #68]\n"
    "  lsl r3, r3, r1\n"
    "  ssat r5, #16, r3\n"
    "  and r7, r5, #127\n"
    "  asr r5, r5, #7\n"
    "  bms_cm4_interp r5, r12, r7\n"
    "  smlabb r6, r6, r5, r2\n"
    "  ssat r6, #16, r6, asr #15\n"
    "  ldr r1, [sp, #60]\n"
    "  strh r6, [r0, r1]\n"
    "  add r10, r10, #4\n"
    "  str r10, [sp, #52]\n"
    "  cmp r10, r11\n"
    "  bne .Lbms_cm4_unit\n"
    "  add sp, sp, #84\n"
    "  pop {r4-r11, pc}\n"
    ".ltorg\n"
    ".size bms_lstm_units_cm4, .-bms_lstm_units_cm4\n"
    ".purgem bms_cm4_mac\n"
    ".purgem bms_cm4_group\n"
    ".purgem bms_cm4_dot\n"
    ".purgem bms_cm4_dot4\n"
    ".purgem bms_cm4_rq2\n"
    ".purgem bms_cm4_interp\n"
    ".popsection\n");

#endif /* BMS_UNITS_CM4_H */
