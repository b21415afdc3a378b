//! Reading and writing files: the only place (with `render` output) that
//! touches the filesystem. Every rejection is an [`InputError`].

pub mod admit_applicants;
pub mod applicants;
pub mod boundary;
pub mod current;
pub mod enrollment;
pub mod error;
pub mod geojson;
pub mod history;
pub mod households;
pub mod limits;
pub mod load;
pub mod noted;
pub mod output;
pub mod pins;
pub mod public;
pub mod results;
pub mod rings;
pub mod roads;
pub mod scenario;
pub mod schools;
pub mod strict_json;
pub mod students;
pub mod table;
pub mod text;

pub use boundary::read_boundary;
pub use current::{CurrentZone, read_current};
pub use error::{InputError, InputErrors};
pub use households::read_households;
pub use noted::Noted;
pub use pins::{PinRow, read_pins};
pub use roads::{read_roads, read_roads_with_warnings};
pub use scenario::{InputPaths, Scenario, read_scenario};
pub use schools::read_schools;
