/* Host test of the protection state machine (Sources/CBMSSoc/bms_soc_protection.c), run under
 * ASan + UBSan by Scripts/test-c-runtime.sh, on cases worked by hand: a trip after the debounce,
 * the hysteresis between release and trip, a release after its debounce, the discharge
 * over-current, the states, the ring overwriting its oldest events, limits refused field by
 * field and NULL pointers. Agreement with the Swift ProtectionStateMachine over long random
 * sequences is tested in Swift (ProtectionAgreementTests).
 * Usage: bms_soc_protection_test */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "bms_protection.h"

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)

static bms_protection_event_t ring[4];

static bms_protection_t machine(void) {
    bms_protection_limits_t l;
    bms_protection_t p;
    bms_protection_limits_default(&l);
    CHECK(bms_protection_init(&p, &l, ring, 4) == BMS_SOC_OK, "init with the defaults");
    return p;
}

static void test_trip_and_release(void) {
    bms_protection_t p = machine();
    const bms_protection_event_t *e;
    uint32_t t = 0;
    CHECK(bms_protection_update(&p, 3.7f, 0.0f, 25.0f, t++) == BMS_PROTECTION_STANDBY, "standby");
    CHECK(bms_protection_update(&p, 3.7f, 1.0f, 25.0f, t++) == BMS_PROTECTION_CHARGE, "charge");
    CHECK(bms_protection_update(&p, 3.7f, -1.0f, 25.0f, t++) == BMS_PROTECTION_DISCHARGE, "discharge");
    CHECK(bms_protection_update(&p, 3.7f, 0.04f, 25.0f, t++) == BMS_PROTECTION_STANDBY, "0.04 A is standby");
    /* 0.05f is 0.0500000007: above the 0.05 A threshold, as Double(0.05f) is in Swift. */
    CHECK(bms_protection_update(&p, 3.7f, 0.05f, 25.0f, t++) == BMS_PROTECTION_CHARGE, "0.05f A is charge");
    /* 4.31 V twice, a dip, then three times: trips on the third consecutive tick. */
    bms_protection_update(&p, 4.31f, 0.0f, 25.0f, t++);
    bms_protection_update(&p, 4.31f, 0.0f, 25.0f, t++);
    bms_protection_update(&p, 4.29f, 0.0f, 25.0f, t++);
    bms_protection_update(&p, 4.31f, 0.0f, 25.0f, t++);
    bms_protection_update(&p, 4.31f, 0.0f, 25.0f, t++);
    CHECK(p.active_mask == 0, "not yet");
    CHECK(bms_protection_update(&p, 4.32f, 0.0f, 25.0f, t) == BMS_PROTECTION_FAULT && p.active_mask == 1, "tripped");
    e = bms_protection_event(&p, 0);
    CHECK(e != NULL && e->tick == t && e->tripped == 1 && e->condition == BMS_PROTECTION_OVER_VOLTAGE && e->value == 4.32f,
          "the trip event");
    t++;
    /* Between release (4.20) and trip: stays active however long. */
    { int k; for (k = 0; k < 30; k++) bms_protection_update(&p, 4.25f, 0.0f, 25.0f, t++); }
    CHECK(p.active_mask == 1, "hysteresis holds the fault");
    { int k; for (k = 0; k < 9; k++) bms_protection_update(&p, 4.1f, 0.0f, 25.0f, t++); }
    CHECK(p.active_mask == 1, "9 ticks inside: not yet");
    CHECK(bms_protection_update(&p, 4.1f, 0.0f, 25.0f, t++) == BMS_PROTECTION_STANDBY && p.active_mask == 0, "released");
    CHECK(p.event_count == 2 && bms_protection_event(&p, 1)->tripped == 0 && bms_protection_event(&p, 2) == NULL, "two events");
}

static void test_discharge_current_and_ring(void) {
    bms_protection_t p = machine();
    uint32_t t = 0;
    int k, cycle;
    /* -6.5 A trips the discharge over-current (magnitude 6 A); -5.5 A is between release and trip. */
    for (k = 0; k < 3; k++) bms_protection_update(&p, 3.7f, -6.5f, 25.0f, t++);
    CHECK(p.active_mask == (1u << BMS_PROTECTION_OVER_CURRENT_DISCHARGE), "discharge over-current: %02x", p.active_mask);
    CHECK(bms_protection_event(&p, 0)->value == -6.5f, "the event holds the signed current");
    for (k = 0; k < 20; k++) bms_protection_update(&p, 3.7f, -5.5f, 25.0f, t++);
    CHECK(p.active_mask != 0, "held between 5 and 6 A");
    for (k = 0; k < 10; k++) bms_protection_update(&p, 3.7f, -4.0f, 25.0f, t++);
    CHECK(p.active_mask == 0 && p.state == BMS_PROTECTION_DISCHARGE, "released, discharging");
    /* Three more trip/release cycles of the cold limit: 8 events in a ring of 4, the oldest overwritten. */
    for (cycle = 0; cycle < 3; cycle++) {
        for (k = 0; k < 3; k++) bms_protection_update(&p, 3.7f, 0.0f, -11.0f, t++);
        for (k = 0; k < 10; k++) bms_protection_update(&p, 3.7f, 0.0f, 0.0f, t++);
    }
    CHECK(p.event_count == 8, "8 events: %u", (unsigned)p.event_count);
    CHECK(bms_protection_event(&p, 0)->condition == BMS_PROTECTION_UNDER_TEMPERATURE && bms_protection_event(&p, 0)->tripped == 1
          && bms_protection_event(&p, 3)->tripped == 0 && bms_protection_event(&p, 4) == NULL, "the last 4, oldest first");
}

static void test_bad_limits_and_arguments(void) {
    bms_protection_limits_t d, l;
    bms_protection_t p, before;
    int k;
    bms_protection_limits_default(&d);
    CHECK(bms_protection_limits_check(&d) == BMS_SOC_OK, "the defaults are valid");
    for (k = 0; k < 12; k++) {
        l = d;
        switch (k) {
        case 0: l.over_voltage_release_V = 4.30; break;       /* release == trip */
        case 1: l.under_voltage_release_V = 1.8; break;
        case 2: l.under_voltage_release_V = 4.25; break;      /* above the over-voltage release */
        case 3: l.over_current_charge_release_A = 3.5; break;
        case 4: l.over_current_discharge_release_A = 6.0; break;
        case 5: l.over_temperature_release_C = 61; break;
        case 6: l.under_temperature_release_C = -20; break;
        case 7: l.debounce_ticks = 0; break;
        case 8: l.release_debounce_ticks = 0; break;
        case 9: l.standby_current_A = NAN; break;
        case 10: l.over_voltage_V = INFINITY; break;
        default: l.under_temperature_C = NAN; break;
        }
        CHECK(bms_protection_limits_check(&l) == BMS_SOC_ERR_CONFIG, "case %d refused", k);
        memset(&p, 0x5A, sizeof p);
        before = p;
        CHECK(bms_protection_init(&p, &l, ring, 4) == BMS_SOC_ERR_CONFIG, "init refuses case %d", k);
        CHECK(memcmp(&p, &before, sizeof p) == 0, "case %d: the state is not written", k);
    }
    CHECK(bms_protection_init(&p, &d, ring, 0) == BMS_SOC_ERR_CONFIG, "an empty ring");
    CHECK(bms_protection_init(&p, &d, NULL, 4) == BMS_SOC_ERR_ARGUMENT, "no ring");
    CHECK(bms_protection_init(NULL, &d, ring, 4) == BMS_SOC_ERR_ARGUMENT && bms_protection_init(&p, NULL, ring, 4)
          == BMS_SOC_ERR_ARGUMENT, "NULL");
    CHECK(bms_protection_limits_check(NULL) == BMS_SOC_ERR_ARGUMENT, "NULL limits");
    CHECK(bms_protection_update(NULL, 3.7f, 0.0f, 25.0f, 0) == BMS_PROTECTION_FAULT, "a NULL machine reads fault");
    CHECK(bms_protection_event(NULL, 0) == NULL, "no events of NULL");
    bms_protection_limits_default(NULL);
    /* NaN readings are never beyond nor inside. */
    p = machine();
    for (k = 0; k < 10; k++) bms_protection_update(&p, NAN, NAN, NAN, (uint32_t)k);
    CHECK(p.active_mask == 0 && p.state == BMS_PROTECTION_STANDBY, "NaN trips nothing");
}

int main(void) {
    test_trip_and_release();
    test_discharge_current_and_ring();
    test_bad_limits_and_arguments();
    if (failures) {
        printf("bms_soc_protection_test: %d failure(s)\n", failures);
        return 1;
    }
    printf("bms_soc_protection_test: all checks passed\n");
    return 0;
}
