"""View curves: each post's views, forwards and reactions by age, the typical curve, flags."""
