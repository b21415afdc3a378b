//! JSON parsing that refuses duplicate object keys. `serde_json` keeps the
//! last of two equal keys silently; in a household file that loses children
//! (`"6": 5, "6": 7`), so a repeated key is an error with its line.

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

pub struct Strict(pub Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Strict::deserialize(d).map(|s| s.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut v = Vec::new();
        while let Some(Strict(x)) = seq.next_element()? {
            v.push(x);
        }
        Ok(Value::Array(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut m = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let Strict(v) = map.next_value()?;
            if m.contains_key(&k) {
                return Err(twice(&k));
            }
            m.insert(k, v);
        }
        Ok(Value::Object(m))
    }
}

fn twice<E: de::Error>(k: &str) -> E {
    E::custom(format_args!(
        "the key \"{k}\" twice in one object (which one is meant?)"
    ))
}

/// Parse `text` as JSON, refusing duplicate keys.
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<Strict>(text).map(|s| s.0)
}

/// A JSON document read by [`stream_member`].
#[derive(Debug)]
pub enum Streamed {
    /// The top level is an object: its other members, and what its
    /// streamed member held (`None` when it had none).
    Object {
        others: Map<String, Value>,
        member: Option<Member>,
    },
    /// The top level is not an object: the whole value.
    Other(Value),
}

/// The streamed member of a [`Streamed::Object`].
#[derive(Debug)]
pub enum Member {
    /// An array, whose elements were handed out one by one: their number.
    Array(usize),
    /// Not an array: the value.
    Other(Value),
}

/// Parse `text` as JSON (refusing duplicate keys, as [`from_str`]), handing
/// each element of the top-level object's array member `name` to
/// `each(index, element)` as soon as it is parsed, so only one element's
/// values are alive at a time (a province's households GeoJSON is hundreds
/// of megabytes; whole, its values take gigabytes). Everything else comes
/// back whole.
pub fn stream_member(
    text: &str,
    name: &str,
    each: &mut dyn FnMut(usize, Value),
) -> Result<Streamed, serde_json::Error> {
    let mut d = serde_json::Deserializer::from_str(text);
    let root = RootSeed { name, each }.deserialize(&mut d)?;
    d.end()?;
    Ok(root)
}

struct RootSeed<'a, 'f> {
    name: &'a str,
    each: &'f mut dyn FnMut(usize, Value),
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_, '_> {
    type Value = Streamed;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Streamed, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_, '_> {
    type Value = Streamed;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Streamed, A::Error> {
        let mut others = Map::new();
        let mut member = None;
        while let Some(k) = map.next_key::<String>()? {
            if others.contains_key(&k) || (k == self.name && member.is_some()) {
                return Err(twice(&k));
            }
            if k == self.name {
                member = Some(map.next_value_seed(MemberSeed {
                    each: &mut *self.each,
                })?);
            } else {
                let Strict(v) = map.next_value()?;
                others.insert(k, v);
            }
        }
        Ok(Streamed::Object { others, member })
    }
    // Any other top level: the whole value, as `Strict` reads it.
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Streamed, E> {
        StrictVisitor.visit_bool(v).map(Streamed::Other)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Streamed, E> {
        StrictVisitor.visit_i64(v).map(Streamed::Other)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Streamed, E> {
        StrictVisitor.visit_u64(v).map(Streamed::Other)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Streamed, E> {
        StrictVisitor.visit_f64(v).map(Streamed::Other)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Streamed, E> {
        StrictVisitor.visit_str(v).map(Streamed::Other)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Streamed, E> {
        StrictVisitor.visit_string(v).map(Streamed::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Streamed, E> {
        StrictVisitor.visit_unit().map(Streamed::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Streamed, A::Error> {
        StrictVisitor.visit_seq(seq).map(Streamed::Other)
    }
}

struct MemberSeed<'f> {
    each: &'f mut dyn FnMut(usize, Value),
}

impl<'de> DeserializeSeed<'de> for MemberSeed<'_> {
    type Value = Member;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Member, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MemberSeed<'_> {
    type Value = Member;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Member, A::Error> {
        let mut n = 0;
        while let Some(Strict(x)) = seq.next_element()? {
            (self.each)(n, x);
            n += 1;
        }
        Ok(Member::Array(n))
    }
    // Any other value: whole, as `Strict` reads it.
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Member, E> {
        StrictVisitor.visit_bool(v).map(Member::Other)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Member, E> {
        StrictVisitor.visit_i64(v).map(Member::Other)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Member, E> {
        StrictVisitor.visit_u64(v).map(Member::Other)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Member, E> {
        StrictVisitor.visit_f64(v).map(Member::Other)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Member, E> {
        StrictVisitor.visit_str(v).map(Member::Other)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Member, E> {
        StrictVisitor.visit_string(v).map(Member::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Member, E> {
        StrictVisitor.visit_unit().map(Member::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Member, A::Error> {
        StrictVisitor.visit_map(map).map(Member::Other)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn duplicate_keys_are_refused_nested_too() {
        assert!(super::from_str(r#"{"a": 1, "b": {"c": 2}}"#).is_ok());
        assert!(super::from_str(r#"{"a": 1, "a": 2}"#).is_err());
        let e = super::from_str("{\"b\": [ {\"c\": 1,\n \"c\": 2} ]}").unwrap_err();
        assert_eq!(e.line(), 2);
    }

    #[test]
    fn streamed_member_elements_come_one_by_one() {
        use super::{Member, Streamed, stream_member};
        let mut got = Vec::new();
        let text = r#"{"type": "X", "features": [1, {"a": 2}, [3]], "z": null}"#;
        let r = stream_member(text, "features", &mut |i, v| got.push((i, v))).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].0, 1);
        assert_eq!(got[1].1["a"], 2);
        match r {
            Streamed::Object { others, member } => {
                assert_eq!(others.len(), 2);
                assert_eq!(others["type"], "X");
                assert!(matches!(member, Some(Member::Array(3))));
            }
            other => panic!("{other:?}"),
        }
        let none = |t: &str| stream_member(t, "features", &mut |_, _| panic!("no element"));
        assert!(matches!(none("[1]").unwrap(), Streamed::Other(_)));
        assert!(matches!(
            none(r#"{"features": {"a": 1}}"#).unwrap(),
            Streamed::Object {
                member: Some(Member::Other(_)),
                ..
            }
        ));
        assert!(matches!(
            none(r#"{"type": 1}"#).unwrap(),
            Streamed::Object { member: None, .. }
        ));
        // Duplicate keys are refused at the top and inside elements.
        assert!(none(r#"{"features": [], "features": []}"#).is_err());
        assert!(none(r#"{"a": 1, "a": 1}"#).is_err());
        assert!(
            stream_member(
                r#"{"features": [{"b": 1, "b": 2}]}"#,
                "features",
                &mut |_, _| {}
            )
            .is_err()
        );
        // Trailing text is an error, as for `from_str`.
        assert!(none(r#"{"a": 1} x"#).is_err());
    }
}
