; Inno Setup 6 script of the Kaspi QR kiosk's Windows installer.
;
; Built by installer\build.py after the PyInstaller bundle passed its smoke test:
;   iscc /DAppVersion=0.1.0 /DAppVersionNumeric=0.1.0.0 /DDistDir=...\dist\kiosk
;        /DRootDir=... /O...\dist\installer installer\kiosk.iss
; The version comes from kiosk/__init__.py through build.py; the defaults below only
; let the script compile by hand from the installer folder.
;
; The program goes to Program Files; the operator's files live in the data folder,
; %ProgramData%\KaspiKiosk (the kiosk's default: kiosk.toml, certs\, logs, journal).
; An upgrade or an uninstall never touches an existing kiosk.toml or certificate.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef AppVersionNumeric
  #define AppVersionNumeric "0.0.0.0"
#endif
#ifndef RootDir
  #define RootDir ".."
#endif
#ifndef DistDir
  #define DistDir RootDir + "\dist\kiosk"
#endif

#define AppName "Kaspi QR Kiosk"
#define DataDir "{commonappdata}\KaspiKiosk"

[Setup]
; Fixed for the product's whole life: Windows finds earlier installs by it.
AppId={{7B58CB7C-9F7F-4BF6-B323-3A53187298B5}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; The data folder is in ProgramData and the logon task writes HKLM: machine-wide.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#RootDir}\dist\installer
OutputBaseFilename=KaspiQRKiosk-{#AppVersion}-setup
SetupIconFile={#RootDir}\assets\kiosk.ico
UninstallDisplayIcon={app}\kiosk.exe
UninstallDisplayName={#AppName}
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductTextVersion={#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; The kiosk refuses a polite close (it has no close button on purpose), so an upgrade
; closes it by force; an interrupted sale is resolved by the journal's recovery at start.
; PyInstaller's .pyd files are locked while it runs, like its .exe and .dll files.
CloseApplications=force
CloseApplicationsFilter=*.exe,*.dll,*.pyd
RestartApplications=no

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "ru"; MessagesFile: "compiler:Languages\Russian.isl"

[CustomMessages]
en.Autostart=Start the kiosk when a user logs on (kiosk mode)
ru.Autostart=Запускать киоск при входе пользователя (режим киоска)
en.StartupGroup=Start-up:
ru.StartupGroup=Запуск:
en.KioskDemo=Kiosk demo (built-in test bank)
ru.KioskDemo=Демо киоска (встроенный тестовый банк)
en.ConfigFolder=Config folder
ru.ConfigFolder=Папка настроек
en.OperatorConsole=Kiosk operator console
ru.OperatorConsole=Консоль оператора киоска
en.OpenConfigFolder=Open the config folder (put the certificate in certs, then edit kiosk.toml)
ru.OpenConfigFolder=Открыть папку настроек (сертификат — в certs, затем правка kiosk.toml)
en.TryDemo=Try the kiosk demo
ru.TryDemo=Запустить демо киоска

[Tasks]
Name: "autostart"; Description: "{cm:Autostart}"; GroupDescription: "{cm:StartupGroup}"; Flags: unchecked

[InstallDelete]
; A new bundle replaces the old one whole: a library the new version no longer ships
; must not stay beside it and be loaded instead of the new one.
Type: filesandordirs; Name: "{app}\_internal"

[Dirs]
; The key password, the host token, the PFX and the journal live here: no access for the
; Users group. Administrators (and SYSTEM) only; the kiosk's own account is granted
; modify by the operator (installer/README.md, "The kiosk account"). Never uninstalled.
Name: "{#DataDir}"; Permissions: admins-full system-full; Flags: uninsneveruninstall
Name: "{#DataDir}\certs"; Permissions: admins-full system-full; Flags: uninsneveruninstall
Name: "{#DataDir}\logs"; Permissions: admins-full system-full; Flags: uninsneveruninstall

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; The operator's config: written once, never overwritten on upgrade, never uninstalled.
Source: "{#RootDir}\config\kiosk.example.toml"; DestDir: "{#DataDir}"; DestName: "kiosk.toml"; Flags: onlyifdoesntexist uninsneveruninstall
; This version's documented example beside it, to compare with after an upgrade.
Source: "{#RootDir}\config\kiosk.example.toml"; DestDir: "{#DataDir}"; Flags: ignoreversion

[Icons]
Name: "{group}\Kiosk"; Filename: "{app}\kiosk.exe"; WorkingDir: "{#DataDir}"
Name: "{group}\{cm:KioskDemo}"; Filename: "{app}\kiosk.exe"; Parameters: "demo --dir ""{#DataDir}\sandbox-data"""; WorkingDir: "{#DataDir}"
Name: "{group}\{cm:ConfigFolder}"; Filename: "{#DataDir}"
Name: "{group}\{cm:OperatorConsole}"; Filename: "{cmd}"; Parameters: "/k ""cd /d ""{#DataDir}"" && set ""PATH={app};%PATH%"" && kiosk-cli --help"""; WorkingDir: "{#DataDir}"; IconFilename: "{app}\kiosk-cli.exe"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"

[Registry]
; For every user of the machine; the value goes with the uninstall, or when an
; upgrade is run with the task unticked. --supervise: started again after a crash.
Root: HKLM; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "KaspiQRKiosk"; ValueData: """{app}\kiosk.exe"" --supervise"; Flags: uninsdeletevalue; Tasks: autostart
Root: HKLM; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: none; ValueName: "KaspiQRKiosk"; Flags: deletevalue; Tasks: not autostart

[Run]
Filename: "{#DataDir}"; Description: "{cm:OpenConfigFolder}"; Flags: postinstall shellexec skipifsilent runasoriginaluser
Filename: "{app}\kiosk.exe"; Parameters: "demo --dir ""{#DataDir}\sandbox-data"""; WorkingDir: "{#DataDir}"; Description: "{cm:TryDemo}"; Flags: postinstall nowait skipifsilent unchecked runasoriginaluser
