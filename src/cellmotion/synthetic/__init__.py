"""Synthetic data: the book's default stand-in for the report's unpublished tracks, and the
worked example of "Your own data". Both are drawn from the superstatistical persistent random
walk of Metzner et al. (2015), seeded, and labelled synthetic wherever they appear."""
