/* random.c — the synthetic operator's randomness: normals and Poisson counts from the counter-based
 * uniforms of synth_impl.h (unif, gauss), so that any row can be drawn alone.
 *
 * Normals come from Acklam's rational approximation of the inverse normal CDF (relative error 1.2e-9,
 * one uniform per normal, log and sqrt only in the 5% tails) rather than Box-Muller: one draw per
 * normal, no rejection, and about a third of the cost. Poisson counts use inversion below a mean of 12
 * and a rounded normal above it.
 */
#include "synth_impl.h"

#include <math.h>

double synth_norm_inv(double p)
{
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01,
                                2.445134137142996e+00, 3.754408661907416e+00};
    const double plow = 0.02425;
    if (p < plow) {
        double q = sqrt(-2.0 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    if (p > 1.0 - plow) {
        double q = sqrt(-2.0 * log(1.0 - p));
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

/* Inversion for small means, a rounded normal above 12 (the skew it loses is immaterial for a
 * simulator, and it keeps the cost bounded). */
double synth_poisson(double mu, double u)
{
    if (mu <= 0.0) return 0.0;
    if (mu >= 12.0) {
        double x = mu + sqrt(mu) * synth_norm_inv(u) + 0.5;
        return x < 0.0 ? 0.0 : (double)(int64_t)x;
    }
    double pk = exp(-mu), s = pk;
    int k = 0;
    while (u > s && k < 100) {
        k++;
        pk *= mu / k;
        s += pk;
    }
    return (double)k;
}
