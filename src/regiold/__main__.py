from regiold.cli import main

main()
