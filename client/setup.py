# The metadata lives in setup.cfg; this file lets old pips build it too.
import setuptools

setuptools.setup()
