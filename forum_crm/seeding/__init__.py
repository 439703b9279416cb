"""Data that the commands load: the facts of the 2022/2023 report, and a synthetic demo network."""
