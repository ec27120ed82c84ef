"""Fact finders: each turns an initiative's text into candidates with character offsets.

Finders never see PDF coordinates; :mod:`extractor.facts.pipeline` maps each
candidate's characters back to words for its page and bbox.
"""
