/* inspect_segments.c — the segments part of `inspect MODEL.h5` (inspect_model.c calls it): each
 * brand's segments with their size, churn rate, mean ARPU and name, as text or in the JSON object.
 * Rank 0 only, like the rest of inspect. */
#include "inspect.h"

#include "segment.h"

#include <math.h>
#include <stdio.h>

void inspect_segments_text(const cmodel *m)
{
    const segment_model *s = m->seg;
    if (!s) {
        printf("\nsegments: none\n");
        return;
    }
    printf("\nsegments: %zu in %zu brand(s), k-means on the %s (%zu dimensions); %s\n", s->n_seg, s->n_brands,
           s->space == SEGMENT_SPACE_FACTORS ? "factor scores" : "standardised indicators", s->d, s->criterion);
    printf("%-16s %4s %10s %8s %10s  %s\n", "brand", "seg", "size", "churn", "mean ARPU", "name");
    for (size_t g = 0; g < s->n_seg; g++) {
        size_t b = (size_t)s->brand[g];
        char bn[32];
        if (!(m->brand_names && b < m->n_brands)) snprintf(bn, sizeof bn, "brand %zu", b);
        printf("%-16s %4d %10.0f %7.2f%% %10.2f  %s\n", m->brand_names && b < m->n_brands ? m->brand_names[b] : bn,
               (int)(g - (size_t)s->first[b]) + 1, s->size[g],
               s->labelled[g] > 0 ? 100 * s->churned[g] / s->labelled[g] : NAN, s->value[g],
               s->name_en[g] ? s->name_en[g] : "");
    }
}

void inspect_segments_json(json_writer *w, const cmodel *m)
{
    const segment_model *s = m->seg;
    if (!s) {
        json_null(w, "segments");
        return;
    }
    json_obj_begin(w, "segments");
    json_str(w, "space", s->space == SEGMENT_SPACE_FACTORS ? "factors" : "indicators");
    json_int(w, "dimensions", (int64_t)s->d);
    json_str(w, "criterion", s->criterion);
    json_arr_begin(w, "list");
    for (size_t g = 0; g < s->n_seg; g++) {
        size_t b = (size_t)s->brand[g];
        json_obj_begin(w, NULL);
        json_str(w, "brand", m->brand_names && b < m->n_brands ? m->brand_names[b] : NULL);
        json_int(w, "brand_index", (int64_t)b);
        json_int(w, "segment", (int64_t)(g - (size_t)s->first[b]) + 1);
        json_str(w, "name", s->name_en[g]);
        json_str(w, "name_zh", s->name_zh[g]);
        json_int(w, "size", (int64_t)s->size[g]);
        json_num(w, "churn_rate", s->labelled[g] > 0 ? s->churned[g] / s->labelled[g] : NAN);
        json_num(w, "mean_arpu", s->value[g]);
        json_obj_end(w);
    }
    json_arr_end(w);
    json_obj_end(w);
}
