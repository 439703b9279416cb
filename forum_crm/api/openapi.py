"""The API's OpenAPI 3.1 description, served at /api/v1/openapi.json (tests check the answers against it)."""

from forum_crm.models import Voivodeship

TEXT = {"type": "string"}
DATE = {"type": "string", "format": "date"}


def _list_of(schema: str, paged: bool) -> dict:
    properties: dict = {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}}
    if paged:
        properties |= {"page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
                       "next": {"type": ["string", "null"], "format": "uri",
                                "description": "The address of the next page; null on the last one."}}
    return {"type": "object", "required": list(properties), "additionalProperties": False, "properties": properties}


def openapi_description(server: str) -> dict:
    """The description, with `server` (".../api/v1") as its base address."""
    cache = {"ETag": {"schema": TEXT}, "Cache-Control": {"schema": TEXT}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "forum-crm public API", "version": "1",
                 "description": "Organisations of the Forum that chose to be shown publicly (only the fields each "
                                "chose to publish: a field not published is left out) and the editions marked "
                                "public. Nothing about people. Answers carry an ETag (send If-None-Match for 304)."},
        "servers": [{"url": server}],
        "paths": {
            "/organisations": {"get": {
                "summary": "Organisations shown publicly, in Polish alphabetical order",
                "parameters": [
                    {"name": "q", "in": "query", "schema": TEXT, "description": "Part of the name, any case and "
                     "with or without Polish letters."},
                    {"name": "voivodeship", "in": "query",
                     "schema": {"type": "string", "enum": [v.value for v in Voivodeship]}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                    {"name": "per_page", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
                ],
                "responses": {
                    "200": {"description": "A page of organisations", "headers": cache,
                            "content": {"application/json": {"schema": _list_of("Organisation", paged=True)}}},
                    "304": {"description": "Not changed since the ETag sent"},
                    "400": {"description": "An unknown voivodeship"},
                    "429": {"description": "Too many requests; see Retry-After"},
                }}},
            "/editions": {"get": {
                "summary": "Editions marked public, oldest first",
                "responses": {
                    "200": {"description": "The editions", "headers": cache,
                            "content": {"application/json": {"schema": _list_of("Edition", paged=False)}}},
                    "304": {"description": "Not changed since the ETag sent"},
                    "429": {"description": "Too many requests; see Retry-After"},
                }}},
        },
        "components": {"schemas": {
            "Organisation": {
                "type": "object", "required": ["id", "name"], "additionalProperties": False,
                "properties": {
                    "id": {"type": "integer"}, "name": TEXT, "short_name": TEXT, "town": TEXT,
                    "voivodeship": {"type": "string", "enum": [v.value for v in Voivodeship]},
                    "areas": {"type": "array", "items": TEXT},
                    "languages": {"type": "array", "items": TEXT, "description": "ISO 639-1 codes"},
                    "website": {"type": "string", "format": "uri"}, "email": {"type": "string", "format": "email"},
                }},
            "Edition": {
                "type": "object", "additionalProperties": False,
                "required": ["number", "name", "start_date", "end_date", "town", "theme"],
                "properties": {
                    "number": {"type": "integer"}, "name": TEXT, "start_date": DATE, "end_date": DATE,
                    "town": {"type": ["string", "null"]}, "theme": {"type": ["string", "null"]},
                }},
        }},
    }
