/* diag.c — see diag.h. Each check reads results the fit already holds; nothing is refitted here. */
#include "diag.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const diag_names[DIAG_N_KINDS] = {
    "correlation_singular", "correlation_near_singular", "fa_not_converged", "heywood",
    "ultra_heywood", "separation", "logit_not_converged"};

void diag_list_init(diag_list *d)
{
    memset(d, 0, sizeof *d);
}

const char *diag_kind_name(int kind)
{
    return kind >= 0 && kind < DIAG_N_KINDS ? diag_names[kind] : "?";
}

int diag_add(diag_list *d, int kind, const char *fmt, ...)
{
    if (d->n >= DIAG_MAX || kind < 0 || kind >= DIAG_N_KINDS) return -1;
    diag_entry *e = &d->e[d->n];
    e->kind = kind;
    e->action[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->found, sizeof e->found, fmt, ap);
    va_end(ap);
    return (int)d->n++;
}

void diag_set_action(diag_list *d, int i, const char *fmt, ...)
{
    if (i < 0 || (size_t)i >= d->n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->e[i].action, sizeof d->e[i].action, fmt, ap);
    va_end(ap);
}

int diag_find(const diag_list *d, int kind)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->e[i].kind == kind) return (int)i;
    return -1;
}

double diag_rcond(const double *eigen, size_t n)
{
    if (!eigen || n == 0 || !(eigen[0] > 0)) return NAN;
    double lo = eigen[n - 1];
    return lo > 0 ? lo / eigen[0] : 0.0;
}

int diag_correlation(const double *eigen, size_t n, int singular, diag_list *d)
{
    double rc = diag_rcond(eigen, n);
    if (singular || (!isnan(rc) && rc <= 0))
        return diag_add(d, DIAG_CORR_SINGULAR, "the correlation matrix of the %zu screened indicators is "
                        "singular (smallest eigenvalue %.3g): some are exact linear combinations of others",
                        n, eigen && n ? eigen[n - 1] : NAN);
    if (!isnan(rc) && rc < DIAG_RCOND_MIN)
        return diag_add(d, DIAG_CORR_NEAR_SINGULAR, "the correlation matrix of the %zu screened indicators is "
                        "near-singular: smallest/largest eigenvalue %.3g < %.0e (condition number %.3g)",
                        n, rc, DIAG_RCOND_MIN, 1.0 / rc);
    return -1;
}

/* Appends ", name" for up to three indicators of a check to buf, then "and N more". */
static void diag_names_of(const unsigned char *hit, size_t p, const char *const *names, char *buf, size_t cap)
{
    size_t shown = 0, total = 0, len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < p; i++) {
        if (!hit[i]) continue;
        total++;
        if (shown < 3 && len < cap) {
            len += (size_t)snprintf(buf + len, cap - len, "%s%s", shown ? ", " : "", names ? names[i] : "?");
            shown++;
        }
    }
    if (total > shown && len < cap) snprintf(buf + len, cap - len, " and %zu more", total - shown);
}

size_t diag_fa(const fa_result *r, const char *const *names, diag_list *d)
{
    size_t added = 0, p = r->p, nh = 0, nu = 0;
    if (!r->converged) {
        if (diag_add(d, DIAG_FA_NOT_CONVERGED, "the factor analysis did not converge: it stopped after %zu "
                     "iterations (the limit) with %zu factors", r->iterations, r->k) >= 0)
            added++;
    }
    unsigned char hit_h[256], hit_u[256];
    /* names beyond the first 256 indicators are counted, not named */
    size_t pn = p < 256 ? p : 256;
    memset(hit_h, 0, sizeof hit_h);
    memset(hit_u, 0, sizeof hit_u);
    double hmax = 0;
    size_t imax = 0;
    for (size_t i = 0; i < p; i++) {
        double h = gsl_vector_get(r->communality, i);
        if (h > hmax) hmax = h, imax = i;
        if (h > 1.0 + DIAG_ULTRA_EPS) {
            nu++;
            if (i < pn) hit_u[i] = 1;
        } else if (1.0 - h < DIAG_HEYWOOD_UNIQ) {
            nh++;
            if (i < pn) hit_h[i] = 1;
        }
    }
    char buf[200];
    if (nu) {
        diag_names_of(hit_u, pn, names, buf, sizeof buf);
        if (diag_add(d, DIAG_ULTRA_HEYWOOD, "ultra-Heywood case: %zu indicator%s with a communality above 1 "
                     "(negative uniqueness; largest %.4f, %s): %s", nu, nu == 1 ? "" : "s", hmax,
                     names && imax < pn ? names[imax] : "?", buf) >= 0)
            added++;
    }
    if (nh) {
        diag_names_of(hit_h, pn, names, buf, sizeof buf);
        if (diag_add(d, DIAG_HEYWOOD, "Heywood case: %zu indicator%s with a communality at 1 (uniqueness "
                     "below %.3f): %s", nh, nh == 1 ? "" : "s", DIAG_HEYWOOD_UNIQ, buf) >= 0)
            added++;
    }
    return added;
}

size_t diag_logit(uint64_t extreme, uint64_t n_rows, int converged, int iters, const double *beta,
                  const char *const *names, size_t k, const char *what, diag_list *d)
{
    size_t added = 0, jmax = 0;
    double bmax = -1;
    for (size_t j = 1; beta && j < k; j++)
        if (fabs(beta[j]) > bmax) bmax = fabs(beta[j]), jmax = j;
    char big[200] = "";
    if (bmax >= 0)
        snprintf(big, sizeof big, "; the largest coefficient is %s (%.4g)", names ? names[jmax] : "?", beta[jmax]);
    if (extreme > 0 &&
        diag_add(d, DIAG_SEPARATION, "separation in the %slogistic fit: %llu of %llu training rows have fitted "
                 "probabilities numerically 0 or 1 (within %.1e, glm's test)%s", what,
                 (unsigned long long)extreme, (unsigned long long)n_rows, DIAG_P_EPS, big) >= 0)
        added++;
    if (!converged &&
        diag_add(d, DIAG_LOGIT_NOT_CONVERGED, "the %slogistic fit did not converge in %d iterations%s", what,
                 iters, big) >= 0)
        added++;
    return added;
}
