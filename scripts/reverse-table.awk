# Pools the metrics.csv files of several `perturb reverse` runs (one per seed) into one Markdown table:
# per model and tier, the condition-weighted mean over runs of MRR, Exact Hit@5, Relevant Hit@10 and
# Recall@10, each with the random expectation in parentheses, and the conditions summed over runs.
# Usage: awk -F, -f scripts/reverse-table.awk rev0/metrics.csv rev1/metrics.csv ...
# (Model labels with commas are CSV-quoted; they are unquoted here.)
function unquote(line,    q) {
    # Replace commas inside a leading quoted field with ";" so -F, splits the rest.
    if (substr(line, 1, 1) != "\"") return line
    q = index(substr(line, 2), "\"")
    field = substr(line, 2, q - 1); gsub(",", ";", field)
    return field substr(line, q + 2)
}
FNR == 1 { next }
{
    $0 = unquote($0)
    model = $1; tier = $2; n = $3; metric = $4; k = $5
    key = model SUBSEP tier
    if (!(key in seen)) { seen[key] = 1; order[++count] = key }
    name = metric (k == "" ? "" : "@" k)
    value[key, name] += n * $6; random[key, name] += n * $7
    if (name == "mrr") conditions[key] += n
}
END {
    split("mrr exact_hit@5 relevant_hit@10 recall@10", names, " ")
    print "| model | tier | conditions | MRR | Exact Hit@5 | Relevant Hit@10 | Recall@10 |"
    print "|---|---|---:|---|---|---|---|"
    for (i = 1; i <= count; i++) {
        key = order[i]; split(key, parts, SUBSEP); n = conditions[key]
        line = "| " parts[1] " | " parts[2] " | " n
        for (j = 1; j <= 4; j++) line = line sprintf(" | %.3f (%.3f)", value[key, names[j]] / n, random[key, names[j]] / n)
        print line " |"
    }
}
