/* bms_float_bounds.h — internal to CBMSSoc (bms_soc_plausibility.c, bms_soc_protection.c): the
 * float that decides a comparison with a double threshold exactly as the double does. For a
 * float x and a double T (not NaN):
 *   x >  T  exactly when  x >  bms_float_at_or_below(T)   (the largest float <= T)
 *   x <= T  exactly when  x <= bms_float_at_or_below(T)
 *   x <  T  exactly when  x <  bms_float_at_or_above(T)   (the smallest float >= T)
 *   x >= T  exactly when  x >= bms_float_at_or_above(T)
 * so a check the Swift firmware makes on Double(x) runs in single precision. Header only: it
 * adds no .c file to the firmware. */
#ifndef BMS_FLOAT_BOUNDS_H
#define BMS_FLOAT_BOUNDS_H

#include <float.h>
#include <math.h>

static inline float bms_float_at_or_below(double t) {
    float f;
    if (t >= (double)FLT_MAX) return FLT_MAX;
    if (t < -(double)FLT_MAX) return -INFINITY;
    f = (float)t;
    return (double)f > t ? nextafterf(f, -INFINITY) : f;
}

static inline float bms_float_at_or_above(double t) {
    float f;
    if (t <= -(double)FLT_MAX) return -FLT_MAX;
    if (t > (double)FLT_MAX) return INFINITY;
    f = (float)t;
    return (double)f < t ? nextafterf(f, INFINITY) : f;
}

#endif /* BMS_FLOAT_BOUNDS_H */
