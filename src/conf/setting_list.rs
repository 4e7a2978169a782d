//! A section's settings while the parser fills it.
//!
//! Dovecot keeps a key's first position and its last value. Checking each
//! new key against a hash table as it arrives costs a cache miss per line
//! once a block has more keys than the CPU cache holds, which made a big
//! `plugin { }` block cost more than linear time. So assignments are only
//! appended here; duplicates are merged in batches, partitioned by hash so
//! every partition's table stays in cache. Lookups during the parse
//! (`$var`, rare) go through an index that is built when first needed.
use super::model::Setting;
use hashbrown::HashTable;
use std::cell::RefCell;

/// A seeded hash for setting keys: foldhash, hashbrown's own fast hasher.
/// SipHash (std's default) cost more than the rest of storing a setting;
/// keys are short. The seed is random per parse, so a config cannot be
/// crafted to make the keys collide.
#[derive(Debug, Clone)]
pub(crate) struct KeyHasher {
    state: foldhash::fast::FixedState,
}

impl KeyHasher {
    pub fn new() -> Self {
        use std::hash::BuildHasher;
        let seed = std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64);
        KeyHasher {
            state: foldhash::fast::FixedState::with_seed(seed),
        }
    }

    pub fn hash(&self, key: &[u8]) -> u32 {
        use std::hash::BuildHasher;
        let h = self.state.hash_one(key);
        (h ^ (h >> 32)) as u32
    }
}

/// Assignments appended before duplicates are merged at the latest: a
/// block that repeats one key over and over holds at most this many extra
/// settings (besides twice its distinct keys).
const MERGE_BATCH: usize = 1 << 18;

/// Settings in assignment order, with each key's hash alongside.
#[derive(Debug, Default)]
pub(crate) struct SettingList {
    settings: Vec<Setting>,
    hashes: Vec<u32>,
    /// `settings[..unique]` hold distinct keys.
    unique: usize,
    /// Length at which the next merge runs.
    merge_at: usize,
    /// Built on the first lookup; a RefCell because lookups happen while
    /// the parser is only borrowed (building a value).
    lookup: RefCell<Lookup>,
}

/// Key → position of its latest assignment, over `settings[..upto]`.
#[derive(Debug, Default)]
struct Lookup {
    table: HashTable<(u32, u32)>,
    upto: usize,
}

/// The hash hashbrown sees for a stored 32-bit one: it takes the bucket
/// from the low bits and the tag from the top seven.
fn spread(h: u32) -> u64 {
    (u64::from(h) << 32) | u64::from(h)
}

impl SettingList {
    /// Append an assignment; `hash` is [`KeyHasher::hash`] of its key and
    /// `room` a bound on the assignments still to come from the current
    /// file (its lines left).
    pub fn push(&mut self, hash: u32, s: Setting, room: usize) {
        let len = self.settings.len();
        // A big block with at most four times its size in lines left in
        // its file gets room for all of them at once, rather than doubling
        // through sizes it will outgrow (each a copy of the whole list).
        // Smaller blocks and includes (not counted in `room`) just double.
        if len == self.settings.capacity() && len >= 4096 && room > len && room <= 4 * len {
            self.settings.reserve_exact(room + 1);
            self.hashes.reserve_exact(room + 1);
        }
        self.settings.push(s);
        self.hashes.push(hash);
        if self.settings.len() >= self.merge_at.max(MERGE_BATCH) {
            self.merge();
            self.merge_at = 2 * self.settings.len();
        }
    }

    /// The latest assignment of `key` (hash `hash`).
    pub fn latest(&self, hash: u32, key: &str) -> Option<&Setting> {
        let mut guard = self.lookup.borrow_mut();
        let ix = &mut *guard;
        // Positions fit in u32: the input is capped at `max_total_bytes`
        // (128 MiB by default) and every setting takes a line of its own.
        while ix.upto < self.settings.len() {
            let i = ix.upto;
            let h = self.hashes[i];
            let key_i = &self.settings[i].key;
            match ix.table.entry(
                spread(h),
                |&(hj, j)| hj == h && self.settings[j as usize].key == *key_i,
                |&(hj, _)| spread(hj),
            ) {
                hashbrown::hash_table::Entry::Occupied(mut e) => e.get_mut().1 = i as u32,
                hashbrown::hash_table::Entry::Vacant(e) => {
                    e.insert((h, i as u32));
                }
            }
            ix.upto += 1;
        }
        let found = ix
            .table
            .find(spread(hash), |&(hj, j)| {
                hj == hash && self.settings[j as usize].key == key
            })
            .map(|&(_, j)| j as usize);
        found.map(|j| &self.settings[j])
    }

    /// The settings with duplicates merged: first position, last value.
    pub fn into_settings(mut self) -> Vec<Setting> {
        self.merge();
        self.settings
    }

    /// Merge duplicate keys: a later assignment's value and key origin go
    /// to the key's first position and the later entry is removed.
    fn merge(&mut self) {
        let dups = duplicates(&self.settings, &self.hashes, self.unique);
        if !dups.is_empty() {
            for &(first, later) in &dups {
                let (first, later) = (first as usize, later as usize);
                let value = std::mem::take(&mut self.settings[later].value);
                self.settings[first].value = value;
                self.settings[first].key_origin = self.settings[later].key_origin;
            }
            remove_later(&mut self.settings, &dups);
            remove_later(&mut self.hashes, &dups);
            // Positions moved: the lookup index starts over.
            *self.lookup.get_mut() = Lookup::default();
        }
        self.unique = self.settings.len();
    }
}

/// Remove the `later` positions of `dups` (ascending) from `v`.
fn remove_later<T>(v: &mut Vec<T>, dups: &[(u32, u32)]) {
    let mut gone = dups.iter().map(|&(_, later)| later as usize).peekable();
    let mut i = 0;
    v.retain(|_| {
        let drop = gone.next_if_eq(&i).is_some();
        i += 1;
        !drop
    });
}

/// Settings per partition when looking for duplicates: small enough that
/// a partition's table stays in the CPU cache.
const PARTITION: usize = 2048;

/// `(first, later)` position pairs of equal keys, `later` ascending; each
/// later assignment is paired with the key's first position. The keys of
/// `settings[..unique]` are known to be distinct.
fn duplicates(settings: &[Setting], hashes: &[u32], unique: usize) -> Vec<(u32, u32)> {
    let n = settings.len();
    let mut dups = Vec::new();
    if n == unique {
        return dups;
    }
    if n <= 16 {
        // A typical section: a few keys, compared directly.
        for i in unique.max(1)..n {
            // The earliest equal key is the first assignment.
            let first =
                (0..i).find(|&j| hashes[j] == hashes[i] && settings[j].key == settings[i].key);
            if let Some(j) = first {
                dups.push((j as u32, i as u32));
            }
        }
        return dups;
    }
    // Partition positions by the top bits of their hash (equal keys land
    // in one partition; positions stay ascending inside each), then look
    // for duplicates partition by partition with one small table.
    let bits = (n / PARTITION).next_power_of_two().trailing_zeros().min(12);
    let part = |h: u32| {
        if bits == 0 {
            0
        } else {
            (h >> (32 - bits)) as usize
        }
    };
    let parts = 1usize << bits;
    let mut start = vec![0usize; parts + 1];
    for &h in hashes {
        start[part(h) + 1] += 1;
    }
    for p in 0..parts {
        start[p + 1] += start[p];
    }
    let mut fill = start.clone();
    let mut order = vec![(0u32, 0u32); n];
    for (i, &h) in hashes.iter().enumerate() {
        let p = part(h);
        order[fill[p]] = (h, i as u32);
        fill[p] += 1;
    }
    // Inside a partition the top bits are all alike: the table takes its
    // tag from other bits.
    let table_hash = |h: u32| (u64::from(h.rotate_left(16)) << 32) | u64::from(h);
    let largest = start.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    let mut table: HashTable<(u32, u32)> = HashTable::with_capacity(largest);
    for p in 0..parts {
        table.clear();
        for &(h, i) in &order[start[p]..start[p + 1]] {
            let key = &settings[i as usize].key;
            match table.entry(
                table_hash(h),
                |&(hj, j)| hj == h && settings[j as usize].key == *key,
                |&(hj, _)| table_hash(hj),
            ) {
                hashbrown::hash_table::Entry::Occupied(e) => dups.push((e.get().1, i)),
                hashbrown::hash_table::Entry::Vacant(e) => {
                    e.insert((h, i));
                }
            }
        }
    }
    dups.sort_unstable_by_key(|&(_, later)| later);
    dups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conf::model::{FileId, Origin, Value};
    use crate::source::Span;

    fn setting(key: &str, value: &str, at: usize) -> Setting {
        let origin = Origin {
            file: FileId(0),
            span: Span::new(at, at + 1),
        };
        Setting {
            key: key.to_string(),
            key_origin: origin,
            value: Value::new(value.as_bytes().to_vec(), Vec::new(), origin),
        }
    }

    fn fill(list: &mut SettingList, h: &KeyHasher, items: &[(String, String)]) {
        for (at, (k, v)) in items.iter().enumerate() {
            list.push(h.hash(k.as_bytes()), setting(k, v, at), items.len() - at);
        }
    }

    /// The plain rule: first position, last value and key origin.
    fn expected(items: &[(String, String)]) -> Vec<(String, String, usize)> {
        let mut out: Vec<(String, String, usize)> = Vec::new();
        let mut pos = std::collections::HashMap::new();
        for (at, (k, v)) in items.iter().enumerate() {
            match pos.get(k) {
                Some(&i) => out[i] = (k.clone(), v.clone(), at),
                None => {
                    pos.insert(k.clone(), out.len());
                    out.push((k.clone(), v.clone(), at));
                }
            }
        }
        out
    }

    fn got(list: SettingList) -> Vec<(String, String, usize)> {
        list.into_settings()
            .into_iter()
            .map(|s| {
                (
                    s.key.clone(),
                    String::from_utf8(s.value.bytes.clone()).unwrap(),
                    s.key_origin.span.start,
                )
            })
            .collect()
    }

    #[test]
    fn last_value_first_position_small_and_partitioned() {
        let h = KeyHasher::new();
        for n in [3usize, 16, 17, 5000, 40_000] {
            // Every 7th assignment repeats an earlier key (some repeat twice).
            let items: Vec<(String, String)> = (0..n)
                .map(|i| {
                    let k = if i % 7 == 6 { i / 3 } else { i };
                    (format!("k{k}"), format!("v{i}"))
                })
                .collect();
            let mut list = SettingList::default();
            fill(&mut list, &h, &items);
            assert_eq!(got(list), expected(&items), "n = {n}");
        }
    }

    #[test]
    fn a_big_block_takes_the_room_left_at_once() {
        let h = KeyHasher::new();
        let total = 10_000;
        let mut list = SettingList::default();
        let mut sizes = Vec::new();
        for at in 0..total {
            let k = format!("k{at}");
            list.push(h.hash(k.as_bytes()), setting(&k, "v", at), total - at);
            if sizes.last() != Some(&list.settings.capacity()) {
                sizes.push(list.settings.capacity());
            }
        }
        // Doubling up to 4096, then one step to the whole block.
        assert_eq!(sizes.last(), Some(&(total + 1)), "{sizes:?}");
        assert!(
            sizes.iter().all(|&c| c <= 4096 || c == total + 1),
            "{sizes:?}"
        );
        // Without room (an include, say) it doubles as usual.
        let mut list = SettingList::default();
        for at in 0..total {
            let k = format!("k{at}");
            list.push(h.hash(k.as_bytes()), setting(&k, "v", at), 0);
        }
        let cap = list.settings.capacity();
        assert!(cap >= total && cap != total + 1, "{cap}");
    }

    #[test]
    fn merges_in_batches_and_lookups_see_the_latest_value() {
        let h = KeyHasher::new();
        // One key repeated past a merge batch, with other keys between.
        let n = MERGE_BATCH + MERGE_BATCH / 2;
        let items: Vec<(String, String)> = (0..n)
            .map(|i| {
                let k = if i % 2 == 0 {
                    "same".to_string()
                } else {
                    format!("k{}", i % 1000)
                };
                (k, format!("v{i}"))
            })
            .collect();
        let mut list = SettingList::default();
        for (at, (k, v)) in items.iter().enumerate() {
            list.push(h.hash(k.as_bytes()), setting(k, v, at), items.len() - at);
            if at % 100_003 == 0 {
                let s = list.latest(h.hash(k.as_bytes()), k).unwrap();
                assert_eq!(s.value.bytes, v.as_bytes());
            }
        }
        // The merge kept memory to the distinct keys plus one batch.
        assert!(list.settings.len() < MERGE_BATCH, "{}", list.settings.len());
        let s = list.latest(h.hash(b"same"), "same").unwrap();
        assert_eq!(s.value.bytes, format!("v{}", n - 2).as_bytes());
        assert!(list.latest(h.hash(b"nope"), "nope").is_none());
        assert_eq!(got(list), expected(&items));
    }
}
