# bench/timeline.awk - draws a stress client's trace (the file of -o FILE,
# CONTRACT.md §11) as a timeline: one row per client, one bar per request
# from the moment it was sent to the moment its reply came back; the last
# D of a bar (the server's work) dark, the waiting before it light.
#
#   awk -v delay_ms=100 -f bench/timeline.awk trace.tsv             # text
#   awk -v delay_ms=100 -v format=svg -f bench/timeline.awk trace.tsv >t.svg
#
# Text: a line per client, `.` waiting, `#` served, `x` a request that got
# no reply, `^` under the expected time. SVG: a self-contained picture, a
# time axis in seconds, the expected time dashed red, one <rect> per
# request (the dark work is a line over it: every <rect> is a bar).
#
# -v delay_ms: D (default: the shortest request in the trace); expected:
# the expected time in seconds, marked; scale: the seconds the drawing
# spans (default: the run's end, or the expected time if later); title;
# cols: text columns for the run (default 64); format: text or svg.
# make demo draws every model in one call (bench/timelines.sh): -v
# manifest=FILE -v page=PAGE -v clients_n=N [-v text=1], FILE holding a
# line "label|model|expected s|measured s|trace" per model: PAGE gets the
# page, and with text=1 every drawing is printed as text too.

BEGIN {
    FS = "\t"
    if (cols == "") cols = 64
    if (manifest != "") draw_page()
    else if (ARGC > 1) {
        load(1, ARGV[1])
        prepare(1, expected, scale, title)
        if (format == "svg") draw_svg(1)
        else draw_text(1)
    }
    exit
}

# load(m, file): model m's trace into count[m, client], sent[m, client, k],
# replied[m, client, k]; clients[m], last[m] (its latest time) and
# shortest[m] (its shortest served request).
function load(m, file,    line, f, n) {
    clients[m] = 0; last[m] = 0; shortest[m] = -1
    while ((getline line < file) > 0) {
        if (split(line, f, "\t") != 5 || f[1] !~ /^[0-9]+$/) continue
        n = ++count[m, f[1]]
        sent[m, f[1], n] = f[3]
        replied[m, f[1], n] = f[4]
        if (f[1] + 0 > clients[m]) clients[m] = f[1] + 0
        if (f[3] != "-" && f[3] + 0 > last[m]) last[m] = f[3] + 0
        if (f[4] == "-") continue
        if (f[4] + 0 > last[m]) last[m] = f[4] + 0
        if (shortest[m] < 0 || f[4] - f[3] < shortest[m]) shortest[m] = f[4] - f[3]
    }
    close(file)
}

# prepare(m, ...): the globals one drawing uses: d (D in seconds), span,
# want (the expected time, or ""), heading.
function prepare(m, ex, sc, ti) {
    d = (delay_ms != "") ? delay_ms / 1000 : (shortest[m] > 0 ? shortest[m] : 0)
    span = (sc != "") ? sc + 0 : last[m]
    if (ex != "" && ex + 0 > span) span = ex + 0
    if (span <= 0) span = 1
    want = ex
    heading = ti
}

# --- text ---------------------------------------------------------------

# The character of column c of a client's row: `#` when one of its
# requests was being served during that column, else `.` when one was
# waiting, else `x` when one never got its reply, else a space.
function cell(m, i, c,    from, to, k, s, r, best) {
    from = c * span / cols; to = (c + 1) * span / cols; best = " "
    for (k = 1; k <= count[m, i]; k++) {
        s = sent[m, i, k]
        r = replied[m, i, k]
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

function draw_text(m,    i, c, row, mark, legend) {
    if (heading != "") print heading
    legend = "  . waiting  # served  x no reply"
    if (want != "") legend = legend sprintf("  ^ expected %.2f s", want)
    printf "%s  (one column = %.3g ms)\n", legend, span / cols * 1000
    for (i = 1; i <= clients[m]; i++) {
        row = ""
        for (c = 0; c < cols; c++) row = row cell(m, i, c)
        printf "client %2d |%s|\n", i, row
    }
    row = ""
    mark = (want != "") ? int(want / span * cols + 0.5) : -1
    if (mark >= cols) mark = cols - 1
    for (c = 0; c < cols; c++) row = row (c == mark ? "^" : "-")
    printf "          +%s+\n", row
    printf "          0 s%" (cols - 1) "s\n", sprintf("%.2f s", span)
}

# --- svg ----------------------------------------------------------------

# XML's special characters, escaped for a title.
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

# A tick step of 1, 2 or 5 times a power of ten: at most 10 ticks.
function tick_step(    step) {
    step = 0.001
    while (span / step > 10) {
        if (span / (step * 2) <= 10) return step * 2
        if (span / (step * 5) <= 10) return step * 5
        step *= 10
    }
    return step
}

# emit(s): SVG and HTML go to the page's file when there is one.
function emit(s) {
    if (page != "") printf "%s", s > page
    else printf "%s", s
}

function draw_axis(y,    step, t, x) {
    emit(sprintf("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
        LEFT, y, LEFT + PLOT, y))
    step = tick_step()
    for (t = 0; t <= span + step / 1000; t += step) {
        x = x_of(t)
        emit(sprintf("<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\" stroke=\"#333\"/>\n", x, y, x, y + 4))
        emit(sprintf("<text x=\"%s\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", x, y + 16, t))
    }
    emit(sprintf("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">s</text>\n", LEFT + PLOT + 14, y + 16))
}

# The key under the axis: lines, not rects.
function key_item(x, y, colour, label) {
    emit(sprintf("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"10\"/>\n", x, y, x + 16, y, colour))
    emit(sprintf("<text x=\"%d\" y=\"%d\">%s</text>\n", x + 20, y + 4, label))
}

function draw_requests(m, i, y, h,    k, s, r, x0, x1, w) {
    for (k = 1; k <= count[m, i]; k++) {
        s = sent[m, i, k]; r = replied[m, i, k]
        if (s == "-") continue
        x0 = x_of(s)
        x1 = (r == "-") ? x_of(span) : x_of(r)
        w = (x1 - x0 < 0.5) ? 0.5 : x1 - x0
        emit(sprintf("<rect x=\"%s\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.3\"><title>client %d, request %d: sent %s s, reply %s</title></rect>\n",
            x0, y, w, h, (r == "-") ? "#f2b8b5" : "#b7d3ee", i, k, s, (r == "-") ? "none" : r " s"))
        if (r != "-" && d > 0)
            emit(sprintf("<line x1=\"%s\" y1=\"%.1f\" x2=\"%s\" y2=\"%.1f\" stroke=\"#1f4e79\" stroke-width=\"%.1f\"/>\n",
                x_of(r - d < s ? s : r - d), y + h / 2, x1, y + h / 2, h))
    }
}

function draw_svg(m,    i, n, row, h, top, bottom, height, y, x) {
    LEFT = 64; PLOT = 680; top = 44; n = clients[m]
    row = int(180 / (n > 0 ? n : 1))
    row = (row > 18) ? 18 : (row < 3) ? 3 : row
    h = row * 0.75; bottom = top + n * row + 4; height = bottom + 48
    emit(sprintf("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n",
        LEFT + PLOT + 24, height, LEFT + PLOT + 24, height))
    emit(sprintf("<title>%s</title>\n", esc(heading != "" ? heading : "timeline")))
    emit(sprintf("<text x=\"8\" y=\"18\" font-size=\"13\" font-weight=\"bold\">%s</text>\n", esc(heading)))
    for (i = 1; i <= n; i++) {
        y = top + (i - 1) * row
        if (n <= 20 || i == 1 || i == n)
            emit(sprintf("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">client %d</text>\n", LEFT - 6, y + h - 1, i))
        draw_requests(m, i, y, h)
    }
    draw_axis(bottom)
    key_item(LEFT, bottom + 36, "#b7d3ee", "waiting")
    key_item(LEFT + 80, bottom + 36, "#1f4e79", sprintf("served (the last %g ms)", d * 1000))
    key_item(LEFT + 250, bottom + 36, "#f2b8b5", "no reply")
    if (want != "") {
        x = x_of(want)
        emit(sprintf("<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n",
            x, top - 14, x, bottom))
        emit(sprintf("<text x=\"%s\" y=\"%d\" text-anchor=\"end\" fill=\"#c0392b\">expected %.2f s</text>\n",
            x - 3, top - 6, want))
    }
    emit("</svg>\n")
}

# --- make demo's page ---------------------------------------------------

# draw_page(): every model of the manifest on the page (and as text on
# stdout when text is 1). Models with the same expected time share a scale.
function draw_page(    line, f, m, models, e, longest) {
    while ((getline line < manifest) > 0) {
        if (split(line, f, "|") != 5) continue
        m = ++models
        label[m] = f[1]; model[m] = f[2]; exp_s[m] = f[3]; measured[m] = f[4]
        load(m, f[5])
        e = f[3] + 0
        if (!(e in group) || last[m] > group[e]) group[e] = last[m]
        if (f[4] + 0 > longest) longest = f[4] + 0
    }
    close(manifest)
    page_head(models, longest)
    for (m = 1; m <= models; m++) {
        prepare(m, exp_s[m], group[exp_s[m] + 0], sprintf("%s, %s: %s s measured, %s s expected",
            label[m], model[m], measured[m], exp_s[m]))
        emit("<h2>" esc(label[m]) "</h2>\n")
        draw_svg(m)
        if (text == 1) { print ""; draw_text(m) }
    }
    emit("</body>\n</html>\n")
    close(page)
}

# page_head(models, longest): the page up to the first picture, with a
# table of every measured time drawn to one scale (HTML bars, not SVG).
function page_head(models, longest,    m, width) {
    emit("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
    emit(sprintf("<title>make demo: %s clients × 8 messages, %s ms of work each</title>\n", clients_n, delay_ms))
    emit("<style>\nbody { font-family: sans-serif; margin: 1.5em; max-width: 800px; } td { padding: 2px 8px; }\n")
    emit(".bar { background: #1f4e79; height: 12px; } .light { background: #b7d3ee; } .dash { color: #c0392b; }\n")
    emit("</style>\n</head>\n<body>\n")
    emit(sprintf("<h1>make demo: %s clients × 8 messages, %s ms of work each</h1>\n", clients_n, delay_ms))
    emit("<p>Each picture is one model's run, drawn from its client's trace: one row per client, ")
    emit("one bar per request, from the moment the request was sent to the moment its reply came back. ")
    emit("The <span class=\"light\">light part</span> is waiting; the <b>dark part</b> is the last ")
    emit(sprintf("%s ms, the server's work on it. The <span class=\"dash\">dashed red line</span> ", delay_ms))
    emit("is the time the model should take. Pictures with the same expected time share one scale; ")
    emit("this table puts every run on a single one.</p>\n<table>\n")
    emit("<tr><th>server</th><th>measured s</th><th>all on one scale</th></tr>\n")
    for (m = 1; m <= models; m++) {
        width = (longest > 0) ? int(measured[m] / longest * 500) : 0
        emit(sprintf("<tr><td>%s</td><td>%s</td><td><div class=\"bar\" style=\"width: %dpx\"></div></td></tr>\n",
            esc(label[m]), measured[m], width))
    }
    emit("</table>\n")
}
