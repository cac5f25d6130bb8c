import sys

from .cli import main

if sys.argv[1:2] == ["publish"]:
    from .publish import main as publish

    sys.exit(publish(sys.argv[2:]))
sys.exit(main())
