//! What a run measured: percentiles, per-target results and the report every renderer reads.

use serde::Serialize;

#[derive(Serialize)]
pub(super) struct Percentiles {
    pub(super) p50: f64,
    pub(super) p90: f64,
    pub(super) p99: f64,
    pub(super) mean: f64,
}

pub(super) fn percentiles(mut us: Vec<f64>) -> Percentiles {
    if us.is_empty() {
        return Percentiles { p50: 0.0, p90: 0.0, p99: 0.0, mean: 0.0 };
    }
    us.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| us[((us.len() as f64 - 1.0) * q).round() as usize];
    Percentiles { p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: us.iter().sum::<f64>() / us.len() as f64 }
}

#[derive(Serialize)]
pub(super) struct TargetResult {
    pub(super) label: String,
    pub(super) url: String,
    pub(super) ceremonies: usize,
    pub(super) errors: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) first_error: Option<String>,
    /// Ceremonies per second over this target's phases.
    pub(super) throughput: f64,
    /// Whole ceremony as the client sees it, µs.
    pub(super) latency_us: Percentiles,
    /// Waiting for the RP's two answers, µs.
    pub(super) rp_time_us: Percentiles,
    /// The driver's CPU time per ceremony, µs (None where the platform does not tell).
    pub(super) driver_cpu_us: Option<f64>,
}

#[derive(Serialize)]
pub(super) struct BenchReport {
    pub(super) schema: &'static str,
    pub(super) harness_version: &'static str,
    pub(super) machine: Machine,
    pub(super) ceremonies_per_target: usize,
    pub(super) concurrency: usize,
    pub(super) rounds: usize,
    pub(super) warmup: usize,
    pub(super) targets: Vec<TargetResult>,
}

#[derive(Serialize)]
pub(super) struct Machine {
    pub(super) cpus: usize,
    pub(super) cpu_model: String,
    pub(super) os: &'static str,
}

pub(super) fn machine() -> Machine {
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    Machine {
        cpus: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        cpu_model,
        os: std::env::consts::OS,
    }
}
