# bench/report.awk - the Markdown tables of `make bench`, from its run rows.
#
#   awk -F'\t' -v runs=3 -f bench/report.awk ROWS TARGETS
#
# ROWS: one line per run: key table label model c run rate p50 p99 errors
# replies cpu_us status rss switches (key is table|label|c|placement;
# switches: the machine's context switches per reply). Runs of one key are
# summarised by the median rate, its min and max, and the p50, p99, CPU and
# switches of the median run. TARGETS: name placement kit yardstick ratio
# switches goal met (see targets.sh). -v other=PLACEMENT: the placement
# of the "cpu" tables.

FNR == NR {
    if (!($1 in count)) {
        order[++keys] = $1
        table_of[$1] = $2; label[$1] = $3; model[$1] = $4; conc[$1] = $5
        n = split($1, part, "|"); placement[$1] = part[n]
    }
    i = ++count[$1]
    rate[$1, i] = $7 + 0; p50[$1, i] = $8; p99[$1, i] = $9
    cpu[$1, i] = $12; errors[$1] += $10
    switches[$1, i] = ($15 == "") ? "-" : $15
    if ($13 != 0) failed[$1]++
    if ($14 + 0 > rss[$1]) rss[$1] = $14 + 0
    next
}
{ target[++targets] = $0 }

# median_run(key): the index of the run with the median rate.
function median_run(k,    n, i, j, t, idx) {
    n = count[k]
    for (i = 1; i <= n; i++) idx[i] = i
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && rate[k, idx[j]] < rate[k, idx[j - 1]]; j--) {
            t = idx[j]; idx[j] = idx[j - 1]; idx[j - 1] = t
        }
    low[k] = rate[k, idx[1]]; high[k] = rate[k, idx[n]]
    return idx[int((n + 1) / 2)]
}

function spread(k) {
    return runs > 1 ? sprintf("%d-%d", low[k], high[k]) : "-"
}

function status_of(k) {
    if (failed[k]) return sprintf("%d errors, %d failed run(s)", errors[k], failed[k])
    return errors[k] + 0
}

# One table of stress runs. "CPU x01" divides a row's CPU per request by
# 01-iterative's at the same concurrency in the same table.
function stress_table(name, title, with_rss,    i, k, m, base, times, printed) {
    split("", base)
    for (i = 1; i <= keys; i++) {
        k = order[i]
        if (table_of[k] == name && label[k] == "01-iterative")
            base[conc[k]] = cpu[k, median_run(k)]
    }
    printed = 0
    for (i = 1; i <= keys; i++) {
        k = order[i]
        if (table_of[k] != name) continue
        if (!printed++) {
            print ""
            print "## " title
            print ""
            printf "| server | model | clients | req/s | min-max | p50 ms | p99 ms | CPU us/req | CPU x01 | switches/req |%s errors |\n", with_rss ? " peak RSS MiB |" : ""
            printf "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |%s ---: |\n", with_rss ? " ---: |" : ""
        }
        m = median_run(k)
        times = (base[conc[k]] + 0 > 0) ? sprintf("%.2f", cpu[k, m] / base[conc[k]]) : "-"
        printf "| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s |%s %s |\n", label[k], model[k],
            conc[k], rate[k, m], spread(k), p50[k, m], p99[k, m], cpu[k, m], times,
            switches[k, m], with_rss ? " " rss[k] " |" : "", status_of(k)
    }
}

function yardstick_table(    i, k, m, printed) {
    printed = 0
    for (i = 1; i <= keys; i++) {
        k = order[i]
        if (table_of[k] != "yard" && table_of[k] != "double" && table_of[k] != "wrk") continue
        if (!printed++) {
            print ""
            print "## Yardstick runs (same placement for both sides, runs alternating)"
            print ""
            print "| program | placement | clients | req/s | min-max | p50 ms | p99 ms | CPU us/req | switches/req | errors |"
            print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        }
        m = median_run(k)
        printf "| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", label[k], placement[k],
            conc[k], rate[k, m], spread(k), p50[k, m], p99[k, m], cpu[k, m], switches[k, m],
            status_of(k)
    }
}

function targets_table(    i, f) {
    if (targets == 0) return
    print ""
    print "## Targets (ratios and switches measured in this run)"
    print ""
    print "| comparison | placement | kit | yardstick | ratio | switches/req | target | met? |"
    print "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |"
    for (i = 1; i <= targets; i++) {
        split(target[i], f, "\t")
        printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]
    }
}

END {
    stress_table("main", "Stress clients, one connection each (each folder's own client)", 1)
    stress_table("conn", "Connection per request (bench/connload: connect, 1 request, close)", 0)
    if (other != "") {
        stress_table("cpu", "CPU per request with placement " other ": stress clients, 1 client", 0)
        stress_table("cpuconn", "CPU per request with placement " other ": connection per request, 10 clients", 0)
    }
    yardstick_table()
    targets_table()
}
