# bench/timeline.awk - draws a stress client's trace (the file of -o FILE,
# CONTRACT.md §11) as a timeline: one row per client, one bar per request
# from the moment it was sent to the moment its reply came back; the last
# D of a bar (the server's work) dark, the waiting before it light.
#
#   awk -v delay_ms=100 -f bench/timeline.awk trace.tsv             # text
#   awk -v delay_ms=100 -v format=svg -f bench/timeline.awk trace.tsv >t.svg
#
# Text: one line per client, `.` waiting, `#` served, `x` a request that
# never got its reply; a ruler marks the expected time with `^`. SVG: a
# self-contained picture with a time axis in seconds, the expected time as
# a dashed red line, and one <rect> per request (the dark work is a line
# drawn over it). Both read the trace once; POSIX awk, nothing else.
#
# Variables (-v): delay_ms: D (default: the shortest reply time in the
# trace, which is D when one request ever went straight through);
# expected: the expected time in seconds, marked (default: none);
# scale: the seconds the drawing spans (default: the run's end or the
# expected time, whichever is later); title; cols: columns of the run in
# text (default 64); format: text or svg.

BEGIN {
    FS = "\t"
    if (format == "") format = "text"
    if (cols == "") cols = 64
    clients = 0
    end = 0
    shortest = -1
}

# The header line, and any line that is not a request, is skipped.
$1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ { next }

{
    n = ++count[$1]
    sent[$1, n] = $3
    replied[$1, n] = $4
    if ($1 + 0 > clients) clients = $1 + 0
    if ($3 != "-" && $3 + 0 > end) end = $3 + 0
    if ($4 != "-") {
        if ($4 + 0 > end) end = $4 + 0
        if (shortest < 0 || $4 - $3 < shortest) shortest = $4 - $3
    }
}

END {
    d = (delay_ms != "") ? delay_ms / 1000 : (shortest > 0 ? shortest : 0)
    span = (scale != "") ? scale + 0 : end
    if (expected != "" && expected + 0 > span) span = expected + 0
    if (span <= 0) span = 1
    if (format == "svg") draw_svg()
    else draw_text()
}

# --- text ---------------------------------------------------------------

# The character of column c of one client's row: `#` when some request was
# being served during that column, else `.` when one was waiting, else `x`
# when one never got its reply, else a space.
function cell(client, c,    from, to, k, s, r, best) {
    from = c * span / cols
    to = (c + 1) * span / cols
    best = " "
    for (k = 1; k <= count[client]; k++) {
        s = sent[client, k]
        r = replied[client, k]
        if (s == "-") continue
        if (r == "-") {
            if (s + 0 < to && best == " ") best = "x"
            continue
        }
        if (r - d < to && r + 0 > from) return "#"
        if (s + 0 < to && r - d > from) best = "."
    }
    return best
}

function draw_text(    i, c, row, mark, legend) {
    if (title != "") print title
    legend = "  . waiting  # served  x no reply"
    if (expected != "") legend = legend sprintf("  ^ expected %.2f s", expected)
    printf "%s  (one column = %.3g ms)\n", legend, span / cols * 1000
    for (i = 1; i <= clients; i++) {
        row = ""
        for (c = 0; c < cols; c++) row = row cell(i, c)
        printf "client %2d |%s|\n", i, row
    }
    row = ""
    mark = (expected != "") ? int(expected / span * cols + 0.5) : -1
    if (mark >= cols) mark = cols - 1
    for (c = 0; c < cols; c++) row = row (c == mark ? "^" : "-")
    printf "          +%s+\n", row
    printf "          0 s%" (cols - 1) "s\n", sprintf("%.2f s", span)
}

# --- svg ----------------------------------------------------------------

# XML's five special characters, escaped for a title.
function esc(s) {
    gsub(/&/, "\\&amp;", s)
    gsub(/</, "\\&lt;", s)
    gsub(/>/, "\\&gt;", s)
    gsub(/"/, "\\&quot;", s)
    return s
}

function x_of(t) {
    return sprintf("%.1f", LEFT + t / span * PLOT)
}

# A tick step of 1, 2 or 5 times a power of ten: about 8 ticks.
function tick_step(span,    step) {
    step = 0.001
    while (span / step > 10) {
        if (span / (step * 2) <= 10) return step * 2
        if (span / (step * 5) <= 10) return step * 5
        step *= 10
    }
    return step
}

function draw_axis(y,    step, t, x) {
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
        LEFT, y, LEFT + PLOT, y
    step = tick_step(span)
    for (t = 0; t <= span + step / 1000; t += step) {
        x = x_of(t)
        printf "<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\" stroke=\"#333\"/>\n", x, y, x, y + 4
        printf "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", x, y + 16, t
    }
    printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">s</text>\n", LEFT + PLOT + 14, y + 16
}

function draw_requests(i, y, h,    k, s, r, x0, x1, w) {
    for (k = 1; k <= count[i]; k++) {
        s = sent[i, k]
        r = replied[i, k]
        if (s == "-") continue
        x0 = x_of(s)
        x1 = (r == "-") ? x_of(span) : x_of(r)
        w = x1 - x0
        if (w < 0.5) w = 0.5
        printf "<rect x=\"%s\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.3\"><title>client %d, request %d: sent %s s, reply %s</title></rect>\n",
            x0, y, w, h, (r == "-") ? "#f2b8b5" : "#b7d3ee", i, k, s, (r == "-") ? "none" : r " s"
        if (r != "-" && d > 0)
            printf "<line x1=\"%s\" y1=\"%.1f\" x2=\"%s\" y2=\"%.1f\" stroke=\"#1f4e79\" stroke-width=\"%.1f\"/>\n",
                x_of(r - d < s ? s : r - d), y + h / 2, x1, y + h / 2, h
    }
}

# The key under the axis: lines, not rects, so that every <rect> is a bar.
function draw_key(y) {
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#b7d3ee\" stroke-width=\"10\"/>\n", LEFT, y, LEFT + 16, y
    printf "<text x=\"%d\" y=\"%d\">waiting</text>\n", LEFT + 20, y + 4
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1f4e79\" stroke-width=\"10\"/>\n", LEFT + 80, y, LEFT + 96, y
    printf "<text x=\"%d\" y=\"%d\">served (the last %g ms)</text>\n", LEFT + 100, y + 4, d * 1000
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#f2b8b5\" stroke-width=\"10\"/>\n", LEFT + 250, y, LEFT + 266, y
    printf "<text x=\"%d\" y=\"%d\">no reply</text>\n", LEFT + 270, y + 4
}

function draw_svg(    i, row, h, top, height, y, x, bottom) {
    LEFT = 64; PLOT = 680; top = 44
    row = int(180 / (clients > 0 ? clients : 1))
    if (row > 18) row = 18
    if (row < 3) row = 3
    h = row * 0.75
    bottom = top + clients * row + 4
    height = bottom + 48
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n",
        LEFT + PLOT + 24, height, LEFT + PLOT + 24, height
    printf "<title>%s</title>\n", esc(title != "" ? title : "timeline")
    printf "<text x=\"8\" y=\"18\" font-size=\"13\" font-weight=\"bold\">%s</text>\n", esc(title)
    for (i = 1; i <= clients; i++) {
        y = top + (i - 1) * row
        if (clients <= 20 || i == 1 || i == clients)
            printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">client %d</text>\n", LEFT - 6, y + h - 1, i
        draw_requests(i, y, h)
    }
    draw_axis(bottom)
    draw_key(bottom + 36)
    if (expected != "") {
        x = x_of(expected)
        printf "<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n",
            x, top - 14, x, bottom
        printf "<text x=\"%s\" y=\"%d\" text-anchor=\"end\" fill=\"#c0392b\">expected %.2f s</text>\n",
            x - 3, top - 6, expected
    }
    print "</svg>"
}
