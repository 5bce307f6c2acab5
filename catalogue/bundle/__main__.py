from catalogue.bundle.build import main

raise SystemExit(main())
