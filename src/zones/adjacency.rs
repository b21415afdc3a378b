//! Delaunay neighbours of the demand units (filled in next).
