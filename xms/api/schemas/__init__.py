"""JSON schemas of the API: one module per resource.

Each module holds the request schemas (``CREATE``, ``UPDATE``,
``LIST_QUERY`` ...) the controllers validate with, and the response
schemas the OpenAPI description (:mod:`xms.api.openapi`) publishes.
Every object schema sets ``additionalProperties: false``.
"""
