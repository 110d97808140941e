//! The hash maps of the compiler's hot paths: std's maps with foldhash's
//! seeded hasher instead of SipHash, which was 6 % of a 10,000-service
//! CloudFormation build (perf). Seeded per process, as std's are: nothing
//! may depend on their iteration order. Build them with `default()` or
//! `collect()`.

pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
/// An insertion-ordered map with the same hasher (the CloudFormation
/// emitter's resources and outputs, 100,000 entries at 10,000 services).
pub type IndexMap<K, V> = indexmap::IndexMap<K, V, foldhash::fast::RandomState>;
