-- churnscore.lua — the Lmod environment module of churnscore, installed as
-- PREFIX/share/churnscore/modulefiles/churnscore/VERSION.lua (CMakeLists.txt, "Install").
--
-- It finds PREFIX from its own location instead of a path written at build time, so that one file
-- serves `cmake --install build --prefix P` for any P and the .deb (/usr) alike. A site puts
-- PREFIX/share/churnscore/modulefiles on MODULEPATH (`module use`), then `module load churnscore`.
local here = myFileName()
local prefix = here:gsub("/share/churnscore/modulefiles/churnscore/[^/]+$", "")

whatis("Name: churnscore")
whatis("Version: " .. myModuleVersion())
whatis("Description: distributed MPI batch churn scorer (Open MPI, parallel HDF5)")
help([[
churnscore: `churnscore COMMAND --help` or `man churnscore` for the commands.
The monthly chain under Slurm: $CHURNSCORE_JOBS/submit-month.sh --help
Its site settings: $CHURNSCORE_JOBS/site.conf
]])

prepend_path("PATH", pathJoin(prefix, "bin"))
-- an empty MANPATH element keeps man's default search path (man-db reads a leading or trailing ':')
if os.getenv("MANPATH") == nil then append_path("MANPATH", "") end
prepend_path("MANPATH", pathJoin(prefix, "share/man"))
setenv("CHURNSCORE_ROOT", prefix)
setenv("CHURNSCORE_JOBS", pathJoin(prefix, "share/churnscore/jobs"))
