//! Dovecot's retry policy (2.3.15+): retry 5xx (S3's 503 SlowDown included)
//! and lost connections up to `max_retries` times, waiting 50 ms and ten
//! times longer each time, capped at 10 s. Jitter (up to +25%) keeps many
//! workers from retrying in lock step, as AWS advises for SlowDown.
//! Failed connects have their own budget (`max_connect_retries`) and
//! lib-http's connect backoff, [`connect_delay`].
use std::cell::Cell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const FIRST: Duration = Duration::from_millis(50);
const CAP: Duration = Duration::from_secs(10);

/// The delay before retry number `retry` (0 = the first retry), without jitter.
pub fn base_delay(retry: u32) -> Duration {
    let mut d = FIRST;
    for _ in 0..retry {
        d = d.saturating_mul(10);
        if d >= CAP {
            return CAP;
        }
    }
    d
}

/// [`base_delay`] plus up to 25% random jitter.
pub fn delay(retry: u32) -> Duration {
    let d = base_delay(retry);
    let frac = (next_random() % 1000) as u32;
    d + d * frac / 4000
}

/// Dovecot's backoff between connection attempts (lib-http): 100 ms,
/// doubling, capped at 60 s. `retry` is 0 for the first reconnect.
pub fn connect_delay(retry: u32) -> Duration {
    const FIRST_CONNECT: Duration = Duration::from_millis(100);
    const CONNECT_CAP: Duration = Duration::from_secs(60);
    FIRST_CONNECT
        .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
        .min(CONNECT_CAP)
}

/// Whether a status is worth another attempt.
pub fn retryable_status(status: u16) -> bool {
    (500..600).contains(&status)
}

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let addr = &t as *const u64 as u64;
    (t ^ addr.rotate_left(32)) | 1
}

/// xorshift64*: jitter needs spread, not cryptographic quality.
fn next_random() -> u64 {
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dovecot_backoff() {
        let ms: Vec<u128> = (0..5).map(|i| base_delay(i).as_millis()).collect();
        assert_eq!(ms, [50, 500, 5000, 10000, 10000]);
        for _ in 0..100 {
            let d = delay(1);
            assert!(d >= Duration::from_millis(500) && d <= Duration::from_millis(625));
        }
        let c: Vec<u128> = [0, 1, 2, 9, 10, 40]
            .iter()
            .map(|&i| connect_delay(i).as_millis())
            .collect();
        assert_eq!(c, [100, 200, 400, 51200, 60000, 60000]);
        assert!(retryable_status(503) && !retryable_status(404) && !retryable_status(403));
    }
}
