@echo off
rem `dsa-setup` CLI of the desktop package (Windows): runs the app's own Electron binary as plain Node
rem (ELECTRON_RUN_AS_NODE=1) on the CLI inside the app, so an installed desktop app needs no Node.js either.
rem Installed as <install>\resources\cli\dsa-setup.cmd (electron-builder extraResources); add that folder to PATH.
rem DSA_SETUP_ELECTRON overrides the Electron binary (default: <install>\dsa-setup-gui.exe).
setlocal
set "DSA_RESOURCES=%~dp0.."
set "DSA_APP=%DSA_RESOURCES%\app.asar.unpacked"
if not exist "%DSA_APP%" set "DSA_APP=%DSA_RESOURCES%\app.asar"
if not exist "%DSA_APP%" set "DSA_APP=%DSA_RESOURCES%\app"
if defined DSA_SETUP_ELECTRON (set "DSA_EXE=%DSA_SETUP_ELECTRON%") else (set "DSA_EXE=%~dp0..\..\dsa-setup-gui.exe")
if not exist "%DSA_EXE%" (
  echo dsa-setup: the desktop app's binary is missing: %DSA_EXE% 1>&2
  exit /b 2
)
set "ELECTRON_RUN_AS_NODE=1"
"%DSA_EXE%" "%DSA_APP%\out\main\cli.js" %*
exit /b %ERRORLEVEL%
