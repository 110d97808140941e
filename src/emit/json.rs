//! `json!`: serde_json's macro of the same name (1.0.154, MIT OR
//! Apache-2.0), with one change at its leaves. serde_json's serializes every
//! interpolated expression by reference (`to_value(&x)`), so a `Value`, a
//! `Vec<Value>` or a `String` put into an object is copied node by node
//! through serde, and a resource built in nested `json!`s is copied once per
//! level. This one moves those three in, and serializes only what is not
//! JSON already (numbers, `&str`, lists of names, IR types): in a 10,000-
//! service CloudFormation build the copies were about a tenth of the
//! emitter's time. The values are the same.
//!
//! A leaf that is a place it cannot move from (a field behind a reference)
//! is written `&x` (serialized) or `x.clone()` (moved).

use serde::Serialize;
use serde_json::Value;

/// A leaf of `json!`, taken by value so that a `Value` moves in.
#[doc(hidden)]
pub struct Leaf<T>(pub T);

/// Leaves that are JSON already: moved. Chosen first by method resolution
/// (`Leaf(x).into_json()` finds a by-value method before the by-reference
/// one of [`Serialized`]).
#[doc(hidden)]
pub trait Moved {
    fn into_json(self) -> Value;
}

impl Moved for Leaf<Value> {
    fn into_json(self) -> Value {
        self.0
    }
}

impl Moved for Leaf<Vec<Value>> {
    fn into_json(self) -> Value {
        Value::Array(self.0)
    }
}

impl Moved for Leaf<Option<Value>> {
    fn into_json(self) -> Value {
        self.0.unwrap_or(Value::Null)
    }
}

impl Moved for Leaf<String> {
    fn into_json(self) -> Value {
        Value::String(self.0)
    }
}

/// Any other leaf: serialized, as serde_json's macro does.
#[doc(hidden)]
pub trait Serialized {
    fn into_json(self) -> Value;
}

impl<T: Serialize> Serialized for &Leaf<T> {
    fn into_json(self) -> Value {
        serde_json::to_value(&self.0).expect("an emitter's value serializes")
    }
}

macro_rules! json {
    ($($json:tt)+) => {
        $crate::emit::json::json_internal!($($json)+)
    };
}

macro_rules! json_internal {
    (@array [$($elems:expr,)*]) => {
        vec![$($elems,)*]
    };
    (@array [$($elems:expr),*]) => {
        vec![$($elems),*]
    };
    (@array [$($elems:expr,)*] null $($rest:tt)*) => {
        $crate::emit::json::json_internal!(@array [$($elems,)* $crate::emit::json::json_internal!(null)] $($rest)*)
    };
    (@array [$($elems:expr,)*] true $($rest:tt)*) => {
        $crate::emit::json::json_internal!(@array [$($elems,)* $crate::emit::json::json_internal!(true)] $($rest)*)
    };
    (@array [$($elems:expr,)*] false $($rest:tt)*) => {
        $crate::emit::json::json_internal!(@array [$($elems,)* $crate::emit::json::json_internal!(false)] $($rest)*)
    };
    (@array [$($elems:expr,)*] [$($array:tt)*] $($rest:tt)*) => {
        $crate::emit::json::json_internal!(@array [$($elems,)* $crate::emit::json::json_internal!([$($array)*])] $($rest)*)
    };
    (@array [$($elems:expr,)*] {$($map:tt)*} $($rest:tt)*) => {
        $crate::emit::json::json_internal!(@array [$($elems,)* $crate::emit::json::json_internal!({$($map)*})] $($rest)*)
    };
    (@array [$($elems:expr,)*] $next:expr, $($rest:tt)*) => {
        $crate::emit::json::json_internal!(@array [$($elems,)* $crate::emit::json::json_internal!($next),] $($rest)*)
    };
    (@array [$($elems:expr,)*] $last:expr) => {
        $crate::emit::json::json_internal!(@array [$($elems,)* $crate::emit::json::json_internal!($last)])
    };
    (@array [$($elems:expr),*] , $($rest:tt)*) => {
        $crate::emit::json::json_internal!(@array [$($elems,)*] $($rest)*)
    };
    (@object $object:ident () () ()) => {};
    (@object $object:ident [$($key:tt)+] ($value:expr) , $($rest:tt)*) => {
        let _ = $object.insert(($($key)+).into(), $value);
        $crate::emit::json::json_internal!(@object $object () ($($rest)*) ($($rest)*));
    };
    (@object $object:ident [$($key:tt)+] ($value:expr)) => {
        let _ = $object.insert(($($key)+).into(), $value);
    };
    (@object $object:ident ($($key:tt)+) (: null $($rest:tt)*) $copy:tt) => {
        $crate::emit::json::json_internal!(@object $object [$($key)+] ($crate::emit::json::json_internal!(null)) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: true $($rest:tt)*) $copy:tt) => {
        $crate::emit::json::json_internal!(@object $object [$($key)+] ($crate::emit::json::json_internal!(true)) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: false $($rest:tt)*) $copy:tt) => {
        $crate::emit::json::json_internal!(@object $object [$($key)+] ($crate::emit::json::json_internal!(false)) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: [$($array:tt)*] $($rest:tt)*) $copy:tt) => {
        $crate::emit::json::json_internal!(@object $object [$($key)+] ($crate::emit::json::json_internal!([$($array)*])) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: {$($map:tt)*} $($rest:tt)*) $copy:tt) => {
        $crate::emit::json::json_internal!(@object $object [$($key)+] ($crate::emit::json::json_internal!({$($map)*})) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: $value:expr , $($rest:tt)*) $copy:tt) => {
        $crate::emit::json::json_internal!(@object $object [$($key)+] ($crate::emit::json::json_internal!($value)) , $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: $value:expr) $copy:tt) => {
        $crate::emit::json::json_internal!(@object $object [$($key)+] ($crate::emit::json::json_internal!($value)));
    };
    (@object $object:ident () (($key:expr) : $($rest:tt)*) $copy:tt) => {
        $crate::emit::json::json_internal!(@object $object ($key) (: $($rest)*) (: $($rest)*));
    };
    (@object $object:ident ($($key:tt)*) ($tt:tt $($rest:tt)*) $copy:tt) => {
        $crate::emit::json::json_internal!(@object $object ($($key)* $tt) ($($rest)*) ($($rest)*));
    };
    (null) => {
        serde_json::Value::Null
    };
    (true) => {
        serde_json::Value::Bool(true)
    };
    (false) => {
        serde_json::Value::Bool(false)
    };
    ([]) => {
        serde_json::Value::Array(vec![])
    };
    ([ $($tt:tt)+ ]) => {
        serde_json::Value::Array($crate::emit::json::json_internal!(@array [] $($tt)+))
    };
    ({}) => {
        serde_json::Value::Object(serde_json::Map::new())
    };
    ({ $($tt:tt)+ }) => {
        serde_json::Value::Object({
            let mut object = serde_json::Map::new();
            $crate::emit::json::json_internal!(@object object () ($($tt)+) ($($tt)+));
            object
        })
    };
    ($other:expr) => {{
        #[allow(unused_imports)]
        use $crate::emit::json::{Moved as _, Serialized as _};
        $crate::emit::json::Leaf($other).into_json()
    }};
}

pub(crate) use {json, json_internal};

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// The same values as serde_json's macro, leaves moved or serialized.
    #[test]
    fn same_values_as_serde_json() {
        let v = serde_json::json!({ "a": [1, 2.5, "x"], "b": null });
        let list = vec![serde_json::json!(1), serde_json::json!("y")];
        let name = "web".to_string();
        let port: u16 = 8080;
        let none: Option<&str> = None;
        let some = Some(serde_json::json!({ "k": true }));
        let expected = serde_json::json!({
            "V": v, "L": list, "S": name, "P": port, "N": none, "O": some,
            "Lit": [true, false, null, {}, [], "s", -3], "Names": ["a", "b"],
        });
        let got: Value = json!({
            "V": v, "L": list, "S": name, "P": port, "N": none, "O": some,
            "Lit": [true, false, null, {}, [], "s", -3], "Names": ["a", "b"],
        });
        assert_eq!(got, expected);
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&expected).unwrap()
        );
    }
}
