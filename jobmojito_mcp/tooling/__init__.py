"""What every tool shares, whatever its toolset: the machinery between an MCP call and JobMojito.

    spec        ToolSpec (one tool, completely) and the annotation presets
    validation  arguments checked against the tool's model; refusals worded for an agent
    run         run_tool: validate, call, check the answer, present it (the one boundary)
    upstream    the shared HTTP client: auth, timeouts, retries, error mapping
    errors      the exception tree (drawn in its docstring) and each failure's message
    schemas     the input and output schemas agents read, derived from the models

Nothing here knows a particular tool: the toolsets (`jobmojito_mcp.toolsets`) build on this, never
the other way round. Import from the modules; this package loads none of them by itself.
"""
