/* Examples/c/host/hysteresis_demo.h — an illustrative hysteresis law for the examples' fourth
 * estimator, the 1RC EKF with the hysteresis state: the fixture cell model (a NASA 18650, which
 * has none) with M = 20 mV, M0 = 4 mV and gamma = 30 at every temperature. It exists to run and
 * time the code path on the same recording; its SOC is not a better estimate of that cell. A
 * real LFP model gets its law from `bmsim fit` and `bmsim export --cell-model`. */
#ifndef HYSTERESIS_DEMO_H
#define HYSTERESIS_DEMO_H
#include "bms_soc.h"

static const float hysteresis_demo_temperatures_C[1] = {25.0f};
static const float hysteresis_demo_maximum_V[1] = {0.02f};
static const float hysteresis_demo_instantaneous_V[1] = {0.004f};
static const float hysteresis_demo_rate[1] = {30.0f};

/** `model` with the illustrative law added. */
static bms_cell_model_t hysteresis_demo_model(bms_cell_model_t model) {
    model.hysteresis.temperatures_C = hysteresis_demo_temperatures_C;
    model.hysteresis.maximum_V = hysteresis_demo_maximum_V;
    model.hysteresis.instantaneous_V = hysteresis_demo_instantaneous_V;
    model.hysteresis.rate_constant = hysteresis_demo_rate;
    model.hysteresis.count = 1;
    return model;
}
#endif
