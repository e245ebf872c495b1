# bench/plot.awk - requests/s against concurrent clients, one line per
# server, as an SVG picture: no plotting package, just awk and printf.
#
#   awk -F'\t' -f bench/plot.awk ROWS > bench.svg
#
# ROWS are bench.sh's run rows (key table label model c run rate ...); only
# the main table is drawn, each point the median of its runs. The x axis is
# logarithmic (1, 10, 100, 1,000, 10,000 clients), the y axis linear from 0.

BEGIN {
    W = 760; H = 460                      # the picture
    L = 80; R = 230; T = 50; B = 60       # margins; the legend sits at the right
    split("#1f77b4 #d62728 #2ca02c #ff7f0e #9467bd #8c564b #e377c2 #7f7f7f #17becf #bcbd22", color, " ")
}

$2 == "main" {
    k = $3 SUBSEP $5
    if (!($3 in seen)) { seen[$3] = 1; series[++nseries] = $3 }
    if (!(k in runs)) { points[$3] = points[$3] " " $5 }
    runs[k]++
    value[k, runs[k]] = $7 + 0
    if ($5 + 0 > maxc) maxc = $5 + 0
}

function median(k,    n, i, j, t, v) {
    n = runs[k]
    for (i = 1; i <= n; i++) v[i] = value[k, i]
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && v[j] < v[j - 1]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return v[int((n + 1) / 2)]
}

function log10(x) { return log(x) / log(10) }
function px(c) { return L + (W - L - R) * log10(c) / decades }
function py(r) { return H - B - (H - T - B) * r / ymax }

# A round axis maximum above the data: a power of ten times 1, 1.5, 2,
# 2.5, 3, 4, 5, 6 or 8, so that five grid steps fall on round numbers.
function nice(x,    p, i, step) {
    if (x <= 0) return 1
    p = 10 ^ int(log10(x))
    split("1 1.5 2 2.5 3 4 5 6 8 10", step, " ")
    for (i = 1; i <= 10; i++)
        if (x <= step[i] * p) return step[i] * p
    return 10 * p
}

function thousands(n,    s) {
    s = sprintf("%d", n)
    while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
    return s
}

END {
    decades = maxc > 100 ? int(log10(maxc) + 0.999) : 2
    for (s = 1; s <= nseries; s++) {
        n = split(points[series[s]], cs, " ")
        for (i = 1; i <= n; i++) {
            m = median(series[s] SUBSEP cs[i])
            if (m > top) top = m
        }
    }
    ymax = nice(top * 1.05)
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H, W, H
    printf "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H
    printf "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">make bench: requests/s against concurrent clients (delay 0)</text>\n", L
    # Grid, ticks and tick labels.
    for (d = 0; d <= decades; d++) {
        x = px(10 ^ d)
        printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e0e0e0\"/>\n", x, T, x, H - B
        printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n", x, H - B, x, H - B + 5
        printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, H - B + 18, thousands(10 ^ d)
    }
    for (t = 0; t <= 5; t++) {
        y = py(ymax * t / 5)
        printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n", L, y, W - R, y
        printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>\n", L - 5, y, L, y
        printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", L - 8, y + 4, thousands(ymax * t / 5)
    }
    # Axes and their names.
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, H - B, W - R, H - B
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, T, L, H - B
    printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">concurrent clients (log scale)</text>\n", (L + W - R) / 2, H - 15
    printf "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">requests/s (median)</text>\n", (T + H - B) / 2, (T + H - B) / 2
    # One polyline, its points and a legend entry per server.
    for (s = 1; s <= nseries; s++) {
        c = color[(s - 1) % 10 + 1]
        n = split(points[series[s]], cs, " ")
        line = ""
        for (i = 1; i <= n; i++)
            line = line sprintf("%s%.1f,%.1f", i > 1 ? " " : "", px(cs[i]), py(median(series[s] SUBSEP cs[i])))
        printf "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"><title>%s</title></polyline>\n", c, line, series[s]
        for (i = 1; i <= n; i++)
            printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s, %s clients: %d req/s</title></circle>\n", px(cs[i]), py(median(series[s] SUBSEP cs[i])), c, series[s], cs[i], median(series[s] SUBSEP cs[i])
        y = T + 10 + (s - 1) * 20
        printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n", W - R + 20, y, W - R + 45, y, c
        printf "<text x=\"%d\" y=\"%d\">%s</text>\n", W - R + 52, y + 4, series[s]
    }
    print "</svg>"
}
