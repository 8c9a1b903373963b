//! Random draws: one seeded ChaCha stream per trust, year and purpose, so the
//! same `--seed` gives the same bytes on every platform and version.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::ingest;

/// A standard normal draw (Box-Muller).
pub(super) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // 1 - u keeps the log finite.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// How many of `n` people have a property of probability `p`: exact below
/// 60, the normal approximation (rounded, clamped to 0..n) above.
pub(super) fn binomial(rng: &mut ChaCha8Rng, n: f64, p: f64) -> f64 {
    let p = p.clamp(0.0, 1.0);
    let n = n.max(0.0).round();
    if n < 60.0 {
        (0..n as u32).filter(|_| rng.random::<f64>() < p).count() as f64
    } else {
        let mean = n * p;
        let sd = (n * p * (1.0 - p)).sqrt();
        (mean + sd * normal(rng)).round().clamp(0.0, n)
    }
}

/// The seed of one stream: `--seed`, trust, year and a salt naming its purpose.
pub(super) fn seed_for(seed: u64, org: &str, year: i32, salt: u64) -> u64 {
    let h = ingest::sha256_hex(format!("{seed}/{org}/{year}/{salt}").as_bytes());
    u64::from_str_radix(&h[..16], 16).unwrap_or(seed)
}
