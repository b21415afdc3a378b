//! Roads as read from `roads.geojson` or an OSM `.osm.pbf`, before they
//! become a graph (`spatial::network`).

/// Direction of travel allowed for driving (walking ignores it).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Oneway {
    No,
    /// Only in the direction the line is drawn.
    Forward,
    /// Only against it (OSM `oneway=-1`).
    Backward,
}

/// One road line: its vertices (lon, lat), class and speed.
#[derive(Clone, Debug, PartialEq)]
pub struct RoadLine {
    /// Where it came from, for messages: the feature id or OSM way id.
    pub id: String,
    pub coords: Vec<(f64, f64)>,
    /// OSM `highway` class, when given.
    pub highway: Option<String>,
    /// Driving speed: `speed_kmh`, else OSM `maxspeed`, else by class.
    pub speed_kmh: Option<f64>,
    pub oneway: Oneway,
}

/// Walking speed used to turn walked metres into minutes (4.5 km/h, a
/// child's pace).
pub const WALK_KMH: f64 = 4.5;

/// Typical driving / bus speed by OSM `highway` class, km/h, for roads
/// without `speed_kmh` or `maxspeed` (rural China; documented in the README).
pub fn class_speed_kmh(highway: Option<&str>) -> f64 {
    match highway.unwrap_or("") {
        "motorway" | "motorway_link" => 100.0,
        "trunk" | "trunk_link" => 70.0,
        "primary" | "primary_link" => 60.0,
        "secondary" | "secondary_link" => 50.0,
        "tertiary" | "tertiary_link" => 40.0,
        "unclassified" | "road" => 30.0,
        "residential" | "living_street" => 25.0,
        "service" | "track" => 15.0,
        // Paths and footways: not for driving; a walking pace.
        "footway" | "path" | "pedestrian" | "steps" | "cycleway" | "bridleway" => WALK_KMH,
        _ => 30.0,
    }
}

impl RoadLine {
    /// The driving speed of this line, km/h.
    pub fn drive_kmh(&self) -> f64 {
        self.speed_kmh
            .unwrap_or_else(|| class_speed_kmh(self.highway.as_deref()))
    }
}
