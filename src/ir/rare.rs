//! [`Rare`]: a group of members most values leave at their defaults, kept
//! off the value until one of them is set.

use std::ops::{Deref, DerefMut};
use std::sync::LazyLock;

/// A `T` that takes one pointer while it is all defaults: reading an unset
/// group gives [`Defaults::defaults`], writing one allocates it. A large
/// program's containers are held whole until every target is written, and
/// the rest of `ContainerDefinition` (440 bytes) is unset in most of them.
#[derive(Clone, Default)]
pub struct Rare<T: Defaults>(Option<Box<T>>);

/// A type whose default value can be shared for reading.
pub trait Defaults: Default + Sized + 'static {
    fn defaults() -> &'static Self;
}

impl<T: Defaults> Rare<T> {
    pub fn new(value: T) -> Rare<T> {
        Rare(Some(Box::new(value)))
    }
}

impl<T: Defaults> Deref for Rare<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.0 {
            Some(value) => value,
            None => T::defaults(),
        }
    }
}

impl<T: Defaults> DerefMut for Rare<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.get_or_insert_with(Default::default)
    }
}

impl<T: Defaults + PartialEq> PartialEq for Rare<T> {
    fn eq(&self, other: &Rare<T>) -> bool {
        **self == **other
    }
}

impl<T: Defaults + std::fmt::Debug> std::fmt::Debug for Rare<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// `Defaults` from `Default`, one shared value per type.
macro_rules! shared_defaults {
    ($($t:ty),*) => {$(
        impl Defaults for $t {
            fn defaults() -> &'static Self {
                static DEFAULTS: LazyLock<$t> = LazyLock::new(Default::default);
                &DEFAULTS
            }
        }
    )*};
}

shared_defaults!(super::ContainerSettings, super::TaskSettings);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::ContainerSettings;

    #[test]
    fn reads_defaults_until_written() {
        let mut r: Rare<ContainerSettings> = Rare::default();
        assert!(r.0.is_none());
        assert_eq!(*r, ContainerSettings::default());
        assert!(!r.privileged);
        assert!(r.0.is_none(), "reading does not allocate");
        r.privileged = true;
        assert!(r.0.is_some());
        assert_ne!(r, Rare::default());
        r.privileged = false;
        assert_eq!(r, Rare::default(), "equal by value, set or not");
    }
}
