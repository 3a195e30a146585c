//! The report as text, Markdown or an SVG chart (JSON is the report serialized).

use std::fmt::Write as _;

use super::stats::BenchReport;

fn fmt_cpu(v: Option<f64>) -> String {
    v.map(|c| format!("{c:.0}")).unwrap_or_else(|| "n/a".into())
}

pub(super) fn text(r: &BenchReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ceremonies per target, {} workers, {} rounds ({} warm-up); {} CPUs, {}",
        r.ceremonies_per_target, r.concurrency, r.rounds, r.warmup, r.machine.cpus, r.machine.cpu_model
    );
    let _ = writeln!(
        out,
        "{:<34} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>11} {:>6}",
        "target", "cer/s", "p50 µs", "p90 µs", "p99 µs", "rp p50", "rp p99", "driver µs", "errors"
    );
    for t in &r.targets {
        let _ = writeln!(
            out,
            "{:<34} {:>9.0} {:>8.0} {:>8.0} {:>8.0} {:>9.0} {:>9.0} {:>11} {:>6}",
            t.label,
            t.throughput,
            t.latency_us.p50,
            t.latency_us.p90,
            t.latency_us.p99,
            t.rp_time_us.p50,
            t.rp_time_us.p99,
            fmt_cpu(t.driver_cpu_us),
            t.errors
        );
    }
    let _ = writeln!(out, "{}", overhead_line(r));
    out
}

/// The instrument's overhead against the fastest target.
fn overhead_line(r: &BenchReport) -> String {
    let fastest = r
        .targets
        .iter()
        .filter(|t| t.ceremonies > 0)
        .min_by(|a, b| a.rp_time_us.p50.total_cmp(&b.rp_time_us.p50));
    let cpu = r
        .targets
        .iter()
        .filter_map(|t| t.driver_cpu_us)
        .fold(None, |m: Option<f64>, c| Some(m.map_or(c, |m| m.max(c))));
    match (fastest, cpu) {
        (Some(f), Some(c)) => format!(
            "driver CPU per ceremony: at most {c:.0} µs; fastest target's RP time (p50): {:.0} µs ({}): the driver costs {:.2}x of it",
            f.rp_time_us.p50,
            f.label,
            c / f.rp_time_us.p50
        ),
        _ => "driver CPU per ceremony: not measurable here".into(),
    }
}

pub(super) fn markdown(r: &BenchReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# webauthn-harness bench\n");
    let _ = writeln!(
        out,
        "- {} measured ceremonies per target ({} warm-up), {} workers each, {} rounds with the targets taking turns\n- machine: {} CPUs, {} ({})\n- harness version: {}\n",
        r.ceremonies_per_target, r.warmup, r.concurrency, r.rounds, r.machine.cpus, r.machine.cpu_model, r.machine.os, r.harness_version
    );
    let _ = writeln!(out, "| target | ceremonies/s | latency p50 µs | p90 | p99 | RP time p50 µs | p90 | p99 | driver CPU µs/ceremony | errors |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    for t in &r.targets {
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {} |",
            t.label.replace('|', "\\|"),
            t.throughput,
            t.latency_us.p50,
            t.latency_us.p90,
            t.latency_us.p99,
            t.rp_time_us.p50,
            t.rp_time_us.p90,
            t.rp_time_us.p99,
            fmt_cpu(t.driver_cpu_us),
            t.errors
        );
    }
    let _ = writeln!(out, "\n{}", overhead_line(r));
    out
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A bar chart: per target, p50/p90/p99 latency bars (µs, left) and the throughput as text.
pub(super) fn svg(r: &BenchReport) -> String {
    let rows = r.targets.len().max(1);
    let (width, row_h, left, top) = (820.0, 54.0, 230.0, 40.0);
    let height = top + rows as f64 * row_h + 40.0;
    let max = r.targets.iter().map(|t| t.latency_us.p99).fold(1.0_f64, f64::max);
    let scale = (width - left - 120.0) / max;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"14\">Authentication ceremony latency (µs; bars p50, p90, p99) and throughput, {} workers</text>\n",
        r.concurrency
    );
    for (i, t) in r.targets.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let _ = writeln!(out, "<text x=\"10\" y=\"{:.0}\">{}</text>", y + 20.0, xml(&t.label));
        let _ = writeln!(
            out,
            "<text x=\"10\" y=\"{:.0}\" fill=\"#555\">{:.0} ceremonies/s</text>",
            y + 36.0,
            t.throughput
        );
        for (j, (v, colour)) in
            [(t.latency_us.p50, "#3b7dd8"), (t.latency_us.p90, "#7fa9e8"), (t.latency_us.p99, "#c3d5f2")]
                .iter()
                .enumerate()
        {
            let _ = writeln!(
                out,
                "<rect x=\"{left}\" y=\"{:.0}\" width=\"{:.1}\" height=\"12\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.0}\">{:.0}</text>",
                y + 6.0 + j as f64 * 14.0,
                v * scale,
                left + v * scale + 4.0,
                y + 16.0 + j as f64 * 14.0,
                v
            );
        }
    }
    out.push_str("</svg>\n");
    out
}
