/* Examples/c/host/charge_transfer_demo.h — an illustrative charge-transfer term for the examples'
 * fifth estimator, the 1RC EKF whose predicted voltage adds a asinh(I / I_ref): the fixture cell
 * model (a NASA 18650, fitted without one) with a = 20 mV and I_ref = 2 A at every temperature.
 * It exists to run and time the code path on the same recording; its SOC is not a better
 * estimate of that cell. A real cold-NMC model gets its term from
 * `bmsim fit --charge-transfer auto|on` and `bmsim export --cell-model`
 * (Examples/c/model/cell_model_charge_transfer.c is one). */
#ifndef CHARGE_TRANSFER_DEMO_H
#define CHARGE_TRANSFER_DEMO_H
#include "bms_soc.h"

static const float charge_transfer_demo_temperatures_C[1] = {25.0f};
static const float charge_transfer_demo_coefficient_V[1] = {0.02f};
static const float charge_transfer_demo_reference_current_A[1] = {2.0f};
static const bms_soc_charge_transfer_t charge_transfer_demo = {
    charge_transfer_demo_temperatures_C, charge_transfer_demo_coefficient_V, charge_transfer_demo_reference_current_A, 1};

/** `model` with the illustrative term added. */
static bms_cell_model_t charge_transfer_demo_model(bms_cell_model_t model) {
    model.charge_transfer = &charge_transfer_demo;
    return model;
}
#endif
