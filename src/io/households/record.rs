//! A child as a households reader found it, in `households.geojson` or in a
//! household table, before the contract's rules are checked. The rules
//! live here once ([`ChildRecord::check`]), so both formats accept the same
//! children and refuse the others with the same messages.

use crate::io::error::{InputError, show_text};
use crate::io::text::{TextKind, check_text};
use crate::model::{Child, Residence};
use chrono::NaiveDate;

/// A field as read: absent, of the kind the contract asks for, or of
/// another kind (shown as found, for the message). A wrong kind is reported
/// by [`ChildRecord::check`] in the contract's order of fields, so a child
/// with several problems is refused for the same one in every format.
#[derive(Clone, Debug, PartialEq)]
pub enum Field<T> {
    /// No such key, a JSON `null`, or an empty cell.
    Absent,
    Given(T),
    /// A value of another kind, as a message shows it.
    Wrong(String),
}

/// The contract's keys of a child, to name a field in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildKey {
    Id,
    BirthDate,
    Sex,
    SpecialNeeds,
    MultipleBirthGroup,
    Priority,
    Residence,
}

impl ChildKey {
    /// The key in `households.geojson`.
    pub fn name(self) -> &'static str {
        match self {
            ChildKey::Id => "id",
            ChildKey::BirthDate => "birth_date",
            ChildKey::Sex => "sex",
            ChildKey::SpecialNeeds => "special_needs",
            ChildKey::MultipleBirthGroup => "multiple_birth_group",
            ChildKey::Priority => "priority",
            ChildKey::Residence => "residence",
        }
    }
}

/// One child's fields, typed as far as the file's own types go: text
/// stays text (untrimmed) until checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ChildRecord {
    pub id: Field<String>,
    pub birth_date: Field<NaiveDate>,
    pub sex: Field<String>,
    pub special_needs: Field<bool>,
    pub multiple_birth_group: Field<String>,
    pub priority: Field<String>,
    pub residence: Field<String>,
}

/// Where a child sits, for messages: the file, the feature or row, and
/// the name of each key there (`children[0].birth_date` in GeoJSON, the
/// column in a table).
pub struct Place<'a> {
    pub file: &'a str,
    pub at: &'a str,
    pub field: &'a dyn Fn(ChildKey) -> String,
}

impl Place<'_> {
    fn error(
        &self,
        key: ChildKey,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> InputError {
        InputError::new(self.file, expected, found)
            .at(self.at)
            .field((self.field)(key))
    }

    /// Refuse a control character in a text field (ids: any; free text:
    /// any but a tab).
    fn check_text(&self, key: ChildKey, s: &str) -> Result<(), InputError> {
        let kind = if key == ChildKey::Id {
            TextKind::Id
        } else {
            TextKind::Free
        };
        check_text(s, kind, self.file, self.at, &(self.field)(key))
    }
}

/// A child must be born within 25 years of the census date (a school-age
/// child; an older date is a typing error).
const OLDEST_DAYS: i64 = 366 * 25;

impl ChildRecord {
    /// The child, or the first field that breaks the contract (in the
    /// order birth date, id, sex, special needs, residence, multiple-birth
    /// group, priority). `latest_birth` is the census date.
    pub fn check(self, place: &Place, latest_birth: NaiveDate) -> Result<Child, InputError> {
        let birth_date = birth_date(self.birth_date, place, latest_birth)?;
        let id = id(self.id, place)?;
        let sex = sex(self.sex, place)?;
        let special_needs = match self.special_needs {
            Field::Absent => false,
            Field::Given(b) => b,
            Field::Wrong(found) => {
                return Err(place.error(ChildKey::SpecialNeeds, "true or false", found));
            }
        };
        let residence = residence(self.residence, place)?;
        Ok(Child {
            id,
            birth_date,
            sex,
            multiple_birth_group: text(
                self.multiple_birth_group,
                ChildKey::MultipleBirthGroup,
                place,
            )?,
            special_needs,
            priority: text(self.priority, ChildKey::Priority, place)?,
            residence,
        })
    }
}

fn birth_date(
    field: Field<NaiveDate>,
    place: &Place,
    latest_birth: NaiveDate,
) -> Result<NaiveDate, InputError> {
    let key = ChildKey::BirthDate;
    let bd = match field {
        Field::Given(d) => d,
        Field::Wrong(found) => return Err(place.error(key, "a date YYYY-MM-DD", found)),
        Field::Absent => return Err(place.error(key, "a birth_date", "none")),
    };
    if bd > latest_birth {
        return Err(place.error(
            key,
            format!("a birth date on or before the census date {latest_birth}"),
            format!("\"{bd}\" (a future birth)"),
        ));
    }
    if (latest_birth - bd).num_days() > OLDEST_DAYS {
        return Err(place.error(
            key,
            "a school-age child (born within 25 years of the census date)",
            format!("\"{bd}\""),
        ));
    }
    Ok(bd)
}

fn id(field: Field<String>, place: &Place) -> Result<Option<String>, InputError> {
    match field {
        Field::Absent => Ok(None),
        Field::Given(s) if !s.trim().is_empty() => {
            place.check_text(ChildKey::Id, s.trim())?;
            Ok(Some(s.trim().to_string()))
        }
        Field::Given(s) => Err(place.error(ChildKey::Id, "a string id", show_text(&s))),
        Field::Wrong(found) => Err(place.error(ChildKey::Id, "a string id", found)),
    }
}

fn sex(field: Field<String>, place: &Place) -> Result<Option<char>, InputError> {
    let found = match field {
        Field::Absent => return Ok(None),
        Field::Given(s) => match s.trim() {
            "F" | "f" | "女" => return Ok(Some('F')),
            "M" | "m" | "男" => return Ok(Some('M')),
            _ => show_text(&s),
        },
        Field::Wrong(found) => found,
    };
    Err(place.error(ChildKey::Sex, "\"F\" or \"M\"", found))
}

fn residence(field: Field<String>, place: &Place) -> Result<Option<Residence>, InputError> {
    let found = match field {
        Field::Absent => return Ok(None),
        Field::Given(s) => match s.trim() {
            "hukou" | "户籍" => return Ok(Some(Residence::Hukou)),
            "permit" | "居住证" => return Ok(Some(Residence::Permit)),
            "none" | "无" => return Ok(Some(Residence::None)),
            _ => show_text(&s),
        },
        Field::Wrong(found) => found,
    };
    Err(place.error(
        ChildKey::Residence,
        "\"hukou\", \"permit\" or \"none\"",
        found,
    ))
}

/// Free text: trimmed, and empty text is no value.
fn text(field: Field<String>, key: ChildKey, place: &Place) -> Result<Option<String>, InputError> {
    match field {
        Field::Absent => Ok(None),
        Field::Given(s) => {
            place.check_text(key, s.trim())?;
            Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
        }
        Field::Wrong(found) => Err(place.error(key, "a string", found)),
    }
}

/// A date as the contract writes it, `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}
