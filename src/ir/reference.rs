//! Typed references between declarations: `Ref<Task>` is the name of a
//! task, and only an `Index` lookup of that kind takes it, so a cluster's
//! name cannot be looked up among tasks. The checker makes a reference only
//! to a declaration that exists (an unknown name is a diagnostic there),
//! which is what lets `Index` lookups return the declaration itself.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops::Deref;

/// The name of a declaration of kind `T`, as the source gives it.
pub struct Ref<T> {
    name: String,
    kind: PhantomData<fn() -> T>,
}

impl<T> Ref<T> {
    pub fn new(name: impl Into<String>) -> Ref<T> {
        Ref {
            name: name.into(),
            kind: PhantomData,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.name
    }
}

impl<T> Clone for Ref<T> {
    fn clone(&self) -> Self {
        Ref::new(self.name.clone())
    }
}

impl<T> PartialEq for Ref<T> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl<T> Eq for Ref<T> {}

impl<T> Hash for Ref<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state)
    }
}

impl<T> PartialEq<str> for Ref<T> {
    fn eq(&self, other: &str) -> bool {
        self.name == other
    }
}

impl<T> PartialEq<&str> for Ref<T> {
    fn eq(&self, other: &&str) -> bool {
        self.name == *other
    }
}

impl<T> PartialEq<String> for Ref<T> {
    fn eq(&self, other: &String) -> bool {
        &self.name == other
    }
}

impl<T> PartialEq<Ref<T>> for String {
    fn eq(&self, other: &Ref<T>) -> bool {
        *self == other.name
    }
}

impl<T> PartialEq<Ref<T>> for str {
    fn eq(&self, other: &Ref<T>) -> bool {
        self == other.name
    }
}

/// Written as the name alone, like the `String` it replaces.
impl<T> fmt::Debug for Ref<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.name, f)
    }
}

impl<T> fmt::Display for Ref<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl<T> Deref for Ref<T> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.name
    }
}

impl<T> AsRef<str> for Ref<T> {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

impl<T> Borrow<str> for Ref<T> {
    fn borrow(&self) -> &str {
        &self.name
    }
}

impl<T> From<&str> for Ref<T> {
    fn from(name: &str) -> Self {
        Ref::new(name)
    }
}

impl<T> From<String> for Ref<T> {
    fn from(name: String) -> Self {
        Ref::new(name)
    }
}

impl<T> From<&String> for Ref<T> {
    fn from(name: &String) -> Self {
        Ref::new(name.as_str())
    }
}

impl<T> From<Ref<T>> for String {
    fn from(r: Ref<T>) -> String {
        r.name
    }
}
