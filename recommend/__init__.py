"""The "For you" Discover: interaction events, candidate sources, ranking, training and offline
evaluation (docs/recommend.md)."""
