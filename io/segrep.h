/* segrep.h — the segment profile in the reports: the Markdown train report (mpi/train_report.c)
 * and the HTML train report, which the month's report embeds (io/htmlrep_train.c). One table per
 * model: each brand's segments with their size, share of the brand, churn rate, mean ARPU, name and
 * the indicators that set them apart (model/segment.h), then how K was chosen. */
#ifndef CS_SEGREP_H
#define CS_SEGREP_H

#include "cmodel.h"
#include "html.h"

#include <stdio.h>

/* The "## Segments" section (a line saying there are none without m->seg). */
void segrep_markdown(FILE *f, const cmodel *m);

/* The same as an HTML section at heading level lv. */
void segrep_html(html_doc *d, const cmodel *m, int lv);

#endif
