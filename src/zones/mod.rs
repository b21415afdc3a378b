//! Zones a bureau can publish: the unit adjacency graph, catchment polygons
//! (Voronoi cells of the assigned units, clipped to the boundary and
//! dissolved per school), contiguity, and moves against the current zones.
//! No I/O here.

pub mod adjacency;
pub mod contiguity;
pub mod geometry;
pub mod repair;
