from jobmojito_mcp.cli import main

main()
