/* Formatting shared by the pontes demos (header-only; each demo is one translation unit).
 * Portuguese conventions: amounts "12 345,67 €" (space thousands, comma decimals), dates
 * "31/05/2019". Amounts stay exact decimals (pontes_decimal) all the way to the text. */
#ifndef PONTES_DEMO_FORMAT_H
#define PONTES_DEMO_FORMAT_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <pontes/pontes.h>

/* (columns of euro amounts are 2 wider in printf: "\xe2\x82\xac" is 3 bytes, one character) */

/* Decimal text ("-1000.5", "995.0000") as euros: "-1 000,50 €", "995,00 €" (trailing zeros past
 * the cents dropped, at least two decimals). Not decimal text: "?". */
static inline const char *demo_fmt_eur_text(const char *t, char *buf, size_t size) {
    const char *p = t;
    bool neg = *p == '-';
    if (neg) p++;
    const char *dot = strchr(p, '.');
    size_t nint = dot ? (size_t)(dot - p) : strlen(p);
    if (nint == 0) {
        snprintf(buf, size, "?");
        return buf;
    }
    char frac[40] = "";
    if (dot) snprintf(frac, sizeof frac, "%s", dot + 1);
    size_t nf = strlen(frac);
    while (nf > 2 && frac[nf - 1] == '0') frac[--nf] = '\0'; /* 995.0000 -> 995,00 */
    while (nf < 2) frac[nf++] = '0', frac[nf] = '\0';
    char grouped[64];
    size_t g = 0;
    for (size_t i = 0; i < nint && g + 2 < sizeof grouped; i++) {
        if (i > 0 && (nint - i) % 3 == 0) grouped[g++] = ' ';
        grouped[g++] = p[i];
    }
    grouped[g] = '\0';
    char out[128];
    snprintf(out, sizeof out, "%s%.60s,%.30s \xe2\x82\xac", neg ? "-" : "", grouped, frac);
    snprintf(buf, size, "%s", out);
    return buf;
}

/* An exact decimal as euros, Portuguese style: "12 345,6789 €", "-1 000,00 €", "0,00 €". */
static inline const char *demo_fmt_eur(const pontes_decimal *d, char *buf, size_t size) {
    char t[64];
    if (pontes_decimal_to_text(d, t, sizeof t) != PONTES_OK) {
        snprintf(buf, size, "?");
        return buf;
    }
    return demo_fmt_eur_text(t, buf, size);
}

/* The same for an optional member: "-" when absent, "(null)" when null. */
static inline const char *demo_fmt_eur_opt(const pontes_decimal *d, pontes_presence has, char *buf, size_t size) {
    if (has == PONTES_ABSENT) return "-";
    if (has == PONTES_NULL) return "(null)";
    return demo_fmt_eur(d, buf, size);
}

/* "2019-05-31" or "2019-05-31T10:00:00Z" -> "31/05/2019" (the time is dropped); other text as is. */
static inline const char *demo_fmt_date(const char *iso, char *buf, size_t size) {
    if (!iso) return "-";
    if (strlen(iso) >= 10 && iso[4] == '-' && iso[7] == '-') {
        snprintf(buf, size, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
        return buf;
    }
    return iso;
}

#endif /* PONTES_DEMO_FORMAT_H */
