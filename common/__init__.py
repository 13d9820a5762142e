"""Rules shared by every app, at the bottom of the layers: no models, no app imports."""
